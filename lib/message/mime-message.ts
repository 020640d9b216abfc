import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { DkimSigner } from './dkim.js';
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
  /**
   * The CRLF tree the constructor built to validate the headers, kept for the
   * first CRLF render so that a message sent once builds its headers once.
   * Streaming consumes a tree, so every later render builds a fresh one;
   * building the headers is deterministic (Date and Message-ID are fixed in
   * `headers`, the boundary comes from `baseBoundary`), so the bytes are the same.
   */
  private firstTree: MimeNode | null;
  /** @internal Set by `EmailMessage.message()` when its mailer signs with DKIM. */
  dkim: DkimSigner | undefined;

  /** @internal Built by `EmailMessage.message()`. */
  constructor(
    private readonly top: MimePart,
    private readonly headers: RootHeader[],
    /** Envelope sender and recipients for SMTP. */
    readonly envelope: Envelope,
    private readonly baseBoundary: string,
  ) {
    // Building the headers now makes every header problem surface in `message()`.
    const tree = this.tree('\r\n');
    const block = tree.buildHeaders();
    this.headerBlock = block;
    // The first call left the tree as a second call would (headers set and
    // ordered, boundary chosen), so the render can take the block as it is.
    tree.buildHeaders = () => block;
    this.firstTree = tree;
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
    const linesep = options.linesep ?? '\n';
    const out = () => this.render(linesep).createReadStream();
    return this.dkim ? this.dkim.sign(this.crlf, out, linesep) : out();
  }

  /** The CRLF bytes that DKIM signs. */
  private readonly crlf = () => this.render('\r\n').createReadStream();

  /**
   * The message for SMTP `DATA`. Line ends are left to nodemailer's SMTP data
   * stream, which turns every bare LF (and bare CR) into CRLF anyway, so the
   * bytes on the wire are exactly those of `createReadStream({ linesep: '\r\n' })`,
   * without a second line-end pass that cuts the body into a chunk per line.
   * @internal Used by the SMTP backend.
   */
  createSmtpStream(): Readable {
    if (this.dkim)
      return this.dkim.sign(this.crlf, () => this.smtpStream(), '\r\n');
    return this.smtpStream();
  }

  private smtpStream(): Readable {
    const tree = this.render('\r\n');
    // Only the root's `newline` adds nodemailer's LF-to-CRLF stage.
    tree.newline = undefined;
    if (!allSmall(this.top)) tree.transform(new Slicer());
    return tree.createReadStream();
  }

  /**
   * Drops the tree kept from validation: the next render builds its own.
   * @internal The SMTP backend keeps trees only for the next few messages of a batch.
   */
  releaseTree(): void {
    this.firstTree = null;
  }

  /** The whole message as bytes. */
  asBytes(options: RenderOptions = {}): Promise<Buffer> {
    if (this.dkim) return buffer(this.createReadStream(options));
    return this.render(options.linesep ?? '\n').build();
  }

  /** The whole message as a string (the bytes decoded as UTF-8; headers are ASCII). */
  async asString(options: RenderOptions = {}): Promise<string> {
    return (await this.asBytes(options)).toString('utf8');
  }

  /** A tree for one render: the constructor's for the first CRLF render, else a fresh one. */
  private render(linesep: '\n' | '\r\n'): MimeNode {
    const first = this.firstTree;
    if (first && linesep === '\r\n') {
      this.firstTree = null;
      return first;
    }
    return this.tree(linesep);
  }

  private tree(linesep: '\n' | '\r\n'): MimeNode {
    return buildTree(this.top, this.headers, {
      baseBoundary: this.baseBoundary,
      newline: linesep,
    });
  }
}

/** Largest chunk the SMTP stream hands on. */
const SLICE = 16 * 1024;

/** Whether every part is bytes of at most {@link SLICE} (then no chunk needs cutting). */
function allSmall(part: MimePart): boolean {
  if ('parts' in part) return part.parts.every(allSmall);
  return Buffer.isBuffer(part.content) && part.content.length <= SLICE;
}

/**
 * Cuts big chunks (a body or attachment given as one Buffer arrives whole) to
 * {@link SLICE} bytes, so that backpressure from the socket holds the message
 * back: its stream then ends only once nearly all of it went to the
 * connection, which is what tells a message lost before its final `.` from
 * one lost after it.
 */
class Slicer extends Transform {
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: TransformCallback,
  ): void {
    for (let at = 0; at < chunk.length; at += SLICE)
      this.push(chunk.length <= SLICE ? chunk : chunk.subarray(at, at + SLICE));
    done();
  }
}
