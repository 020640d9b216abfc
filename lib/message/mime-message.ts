import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { DkimSigner } from './dkim.js';
import { headerLine, normalizeHeaderName } from './header-encoding.js';
import type { Part, RootHeader } from './mime-builder.js';
import { MimeLayout, type Linesep, type Segment } from './mime-serializer.js';

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

/** Largest chunk the SMTP stream hands on. */
const SLICE = 16 * 1024;

/**
 * A validated message, ready to render. Returned by `EmailMessage.message()`;
 * every render of one `MimeMessage` gives the same bytes.
 *
 * Every header of every part is built (and checked) when the message is
 * made; the bodies are encoded at every render, except for a message
 * attached to others, whose encoding is kept so that a message attached
 * many times is encoded once. Streamed content (`attachFile`) is read at every render and never kept.
 */
export class MimeMessage {
  private readonly layout: MimeLayout;
  /** Encoded bodies of a message embedded in others (`message/rfc822`), per line separator. */
  private rendered?: Map<Linesep, Segment[]>;
  /** @internal Set by `EmailMessage.message()` when its mailer signs with DKIM. */
  dkim: DkimSigner | undefined;

  /** @internal Built by `EmailMessage.message()`. */
  constructor(
    top: Part,
    headers: RootHeader[],
    /** Envelope sender and recipients for SMTP. */
    readonly envelope: Envelope,
    baseBoundary: string,
  ) {
    // One header per name: a later spelling of a name replaces the value in place.
    const lines = new Map<string, string>();
    for (const [name, value] of headers) {
      const key = normalizeHeaderName(name);
      lines.set(key, headerLine(key, value));
    }
    this.layout = new MimeLayout(top, [...lines.values()], baseBoundary);
  }

  /**
   * A header's value as it will be sent (encoded, unfolded), or `undefined`.
   * The name is case-insensitive; the first occurrence wins.
   *
   * @example msg.message().get('Content-Transfer-Encoding') // '7bit'
   */
  get(name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const line of this.layout.rootBlock
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
    if (!this.dkim) return stream(this.render(linesep));
    // DKIM signs the CRLF form, then the signature goes in front of the output.
    // One CRLF render serves the hash pass and, for SMTP, the output: its
    // bytes are the same at every read, and streamed content stays a factory
    // (read again, never buffered).
    let crlf: Segment[] | undefined;
    const signed = () => stream((crlf ??= this.render('\r\n')));
    return this.dkim.sign(
      signed,
      linesep === '\r\n' ? signed : () => stream(this.render(linesep)),
      linesep,
    );
  }

  /**
   * The message for SMTP `DATA`, CRLF line ends, in chunks of at most 16 KiB,
   * so that backpressure from the socket holds the message back: its stream
   * then ends only once nearly all of it went to the connection, which is
   * what tells a message lost before its final `.` from one lost after it.
   * Dot-stuffing is left to the SMTP layer.
   * @internal Used by the SMTP backend.
   */
  createSmtpStream(): Readable {
    return this.createReadStream({ linesep: '\r\n' });
  }

  /**
   * Drops the encoded bodies kept for embedding; the next render encodes again.
   * (Renders for sending are never kept, so this is rarely needed.)
   * @internal The SMTP backend keeps rendered messages only for the next few of a batch.
   */
  releaseTree(): void {
    this.rendered = undefined;
  }

  /** The whole message as bytes. */
  async asBytes(options: RenderOptions = {}): Promise<Buffer> {
    if (this.dkim) return buffer(this.createReadStream(options));
    const linesep = options.linesep ?? '\n';
    // A fresh render is the caller's to keep; kept segments are copied.
    const kept = this.rendered?.get(linesep);
    const segments = kept ?? this.layout.serialize(linesep);
    if (segments.length === 1 && !kept) return segments[0] as Buffer;
    if (segments.every(Buffer.isBuffer)) return Buffer.concat(segments);
    const parts: Buffer[] = [];
    for await (const chunk of chunks(segments)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** The whole message as a string (the bytes decoded as UTF-8; headers are ASCII). */
  async asString(options: RenderOptions = {}): Promise<string> {
    return (await this.asBytes(options)).toString('utf8');
  }

  /**
   * The message as bytes and stream factories, encoded once per line separator.
   * @internal Used to embed this message in another (`message/rfc822`).
   */
  segments(linesep: Linesep): Segment[] {
    this.rendered ??= new Map();
    let segments = this.rendered.get(linesep);
    if (!segments) {
      segments = this.layout.serialize(linesep);
      this.rendered.set(linesep, segments);
    }
    return segments;
  }

  /** Segments for one render: the kept ones of a nested message, else fresh ones (not kept). */
  private render(linesep: Linesep): Segment[] {
    return this.rendered?.get(linesep) ?? this.layout.serialize(linesep);
  }
}

/** A stream of the segments' bytes; the segments are not changed, so one render can be streamed again. */
function stream(segments: Segment[]): Readable {
  if (!segments.every(Buffer.isBuffer))
    return Readable.from(chunks(segments), { objectMode: false });
  // Bytes only (the common case): a plain stream, no promise per chunk.
  const pieces = segments.flatMap((segment) => [...slices(segment)]);
  let next = 0;
  return new Readable({
    read() {
      if (next < pieces.length) this.push(pieces[next++]);
      else this.push(null);
    },
  });
}

/** The segments' bytes in chunks of at most {@link SLICE}, streams read one after another. */
async function* chunks(segments: Segment[]): AsyncGenerator<Buffer> {
  for (const segment of segments) {
    if (Buffer.isBuffer(segment)) yield* slices(segment);
    else for await (const chunk of segment()) yield* slices(chunk as Buffer);
  }
}

function* slices(buffer: Buffer): Generator<Buffer> {
  if (buffer.length <= SLICE) {
    yield buffer;
    return;
  }
  for (let at = 0; at < buffer.length; at += SLICE)
    yield buffer.subarray(at, at + SLICE);
}
