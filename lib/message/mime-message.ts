import type { Readable } from 'node:stream';
import type MimeNode from 'nodemailer/lib/mime-node';
import { buildTree, type MimePart, type RootHeader } from './mime-builder.js';

/** The SMTP envelope of a message: never taken from header overrides. */
export interface Envelope {
  /** MAIL FROM: the message's `fromEmail` (or the default), as a bare address. */
  from: string;
  /** RCPT TO: `to` + `cc` + `bcc`, empties dropped, as bare addresses. */
  to: string[];
}

/** Options for rendering a {@link MimeMessage}. */
export interface RenderOptions {
  /**
   * Line separator. `'\n'` matches Django's `as_bytes()` (console and file
   * backends); SMTP sends `'\r\n'`.
   * @default '\n'
   */
  linesep?: '\n' | '\r\n';
}

/**
 * A validated message, ready to render. Returned by `EmailMessage.message()`;
 * every render of one `MimeMessage` gives the same bytes.
 */
export class MimeMessage {
  private readonly headerBlock: string;

  /** @internal Built by `EmailMessage.message()`. */
  constructor(
    private readonly top: MimePart,
    private readonly headers: RootHeader[],
    /** Envelope sender and recipients for SMTP. */
    readonly envelope: Envelope,
    private readonly baseBoundary: string,
  ) {
    // Building the headers now makes every header problem surface in `message()`.
    this.headerBlock = this.tree('\r\n').buildHeaders();
  }

  /**
   * A header's value as it will be sent (encoded, unfolded), or `undefined`.
   * The name is case-insensitive; the first occurrence wins.
   *
   * @example msg.message().get('Content-Transfer-Encoding') // '7bit'
   */
  get(name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const line of this.headerBlock
      .replace(/\r\n[ \t]/g, ' ')
      .split('\r\n')) {
      const colon = line.indexOf(':');
      if (line.slice(0, colon).toLowerCase() === wanted)
        return line.slice(colon + 1).trim();
    }
    return undefined;
  }

  /** The whole message as a stream, for sending without holding it in memory. */
  createReadStream(options: RenderOptions = {}): Readable {
    return this.tree(options.linesep ?? '\n').createReadStream();
  }

  /** The whole message as bytes. */
  asBytes(options: RenderOptions = {}): Promise<Buffer> {
    return this.tree(options.linesep ?? '\n').build();
  }

  /** The whole message as a string (the bytes decoded as UTF-8; headers are ASCII). */
  async asString(options: RenderOptions = {}): Promise<string> {
    return (await this.asBytes(options)).toString('utf8');
  }

  private tree(linesep: '\n' | '\r\n'): MimeNode {
    return buildTree(this.top, this.headers, {
      baseBoundary: this.baseBoundary,
      newline: linesep,
    });
  }
}
