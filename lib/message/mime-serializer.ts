import * as base64 from 'nodemailer/lib/base64';
import * as qp from 'nodemailer/lib/qp';
import {
  pipeline,
  Readable,
  Transform,
  type TransformCallback,
} from 'node:stream';
import {
  foldHeaderLine,
  headerLine,
  structuredValue,
} from './header-encoding.js';
import type { LeafPart, Part } from './mime-builder.js';

/** A piece of a rendered message: bytes, or a factory for a stream of bytes read at send time. */
export type Segment = Buffer | (() => Readable);

/** Line separator of a render. */
export type Linesep = '\r\n' | '\n';

/** Line length of base64 and quoted-printable bodies (RFC 2045 §6.7, §6.8). */
const BODY_LINE = 76;
/** Bytes larger than this are base64-encoded while they are sent, a chunk at a time. */
const ENCODE_AT_SEND = 256 * 1024;
/** Input bytes per encoded chunk: a whole number of 57-byte (76-character) lines. */
const CHUNK_BYTES = 57 * 1024;

const isMultipart = (part: Part): part is Part & { parts: Part[] } =>
  'parts' in part;

/**
 * The header block of every node of a tree, built once (this is where every
 * header of every part is checked) and serialized on demand. Boundaries are
 * numbered in document order from `baseBoundary`, as nodemailer named them.
 */
export class MimeLayout {
  /** Header block of each node, CRLF-separated, without the blank line. */
  private readonly blocks = new Map<Part, string>();
  private readonly boundaries = new Map<Part, string>();

  constructor(
    readonly top: Part,
    rootLines: string[],
    baseBoundary: string,
  ) {
    let counter = 0;
    const visit = (part: Part, root: boolean) => {
      if (isMultipart(part))
        this.boundaries.set(part, `--_NmP-${baseBoundary}-Part_${++counter}`);
      const lines = root ? [...rootLines, 'MIME-Version: 1.0'] : [];
      lines.push(...this.partLines(part));
      this.blocks.set(
        part,
        lines.map((line) => foldHeaderLine(line, '\r\n')).join('\r\n'),
      );
      if (isMultipart(part))
        for (const child of part.parts) visit(child, false);
    };
    visit(top, true);
  }

  /** The top node's header block (CRLF), for `MimeMessage.get`. */
  get rootBlock(): string {
    return this.blocks.get(this.top)!;
  }

  /** The whole message as segments, adjacent bytes joined into one Buffer. */
  serialize(linesep: Linesep): Segment[] {
    const out = new SegmentWriter();
    this.write(this.top, out, linesep);
    return out.finish();
  }

  private write(part: Part, out: SegmentWriter, linesep: Linesep): void {
    const block = this.blocks.get(part)!;
    out.text(linesep === '\r\n' ? block : block.replaceAll('\r\n', '\n'));
    out.text(linesep + linesep);
    if (isMultipart(part)) {
      const boundary = this.boundaries.get(part)!;
      out.text(`--${boundary}${linesep}`);
      part.parts.forEach((child, i) => {
        if (i) out.text(`${linesep}--${boundary}${linesep}`);
        this.write(child, out, linesep);
      });
      out.text(`${linesep}--${boundary}--${linesep}`);
    } else {
      writeBody(part, out, linesep);
    }
  }

  /** `Content-*` headers and extra headers of one node, unfolded. */
  private partLines(part: Part): string[] {
    const params = [...part.params];
    const boundary = this.boundaries.get(part);
    if (boundary) params.push(['boundary', boundary]);
    const lines = [`Content-Type: ${structuredValue(part.type, params)}`];
    if (!isMultipart(part))
      lines.push(`Content-Transfer-Encoding: ${part.transferEncoding}`);
    if (part.disposition) {
      const value = structuredValue(
        part.disposition,
        part.filename ? [['filename', part.filename]] : [],
      );
      lines.push(`Content-Disposition: ${value}`);
    }
    if (part.contentId) lines.push(headerLine('Content-ID', part.contentId));
    for (const [name, value] of part.headers ?? [])
      lines.push(headerLine(name, value));
    return lines;
  }
}

function writeBody(part: LeafPart, out: SegmentWriter, linesep: Linesep): void {
  const { content } = part;
  if (typeof content === 'function') {
    out.add(() => base64Stream(content(), linesep));
    return;
  }
  if (!Buffer.isBuffer(content)) {
    // A nested message, rendered once and shared by every place it appears.
    for (const segment of content.segments(linesep)) out.add(segment);
    return;
  }
  switch (part.transferEncoding) {
    case 'base64':
      if (content.length > ENCODE_AT_SEND)
        out.add(() =>
          Readable.from(base64Chunks(content, linesep), { objectMode: false }),
        );
      else out.text(wrapLines(base64.encode(content), linesep));
      return;
    case 'quoted-printable':
      out.text(
        lineEnds(
          part.encoded ?? qp.wrap(qp.encode(content), BODY_LINE),
          linesep,
        ),
      );
      return;
    default:
      out.bytes(rawLineEnds(content, linesep));
  }
}

/** Base64 text in lines of {@link BODY_LINE} characters, the last one without a line end. */
function wrapLines(text: string, linesep: string): string {
  if (text.length <= BODY_LINE) return text;
  const lines: string[] = [];
  for (let at = 0; at < text.length; at += BODY_LINE)
    lines.push(text.slice(at, at + BODY_LINE));
  return lines.join(linesep);
}

/** Large bytes as base64 lines, one chunk of lines at a time. */
function* base64Chunks(bytes: Buffer, linesep: string): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    const last = at + CHUNK_BYTES >= bytes.length;
    const lines = wrapLines(
      base64.encode(bytes.subarray(at, at + CHUNK_BYTES)),
      linesep,
    );
    yield Buffer.from(last ? lines : lines + linesep, 'latin1');
  }
}

/** Sets every CRLF or LF in encoder output (ASCII) to `linesep`. */
function lineEnds(text: string, linesep: string): string {
  return linesep === '\r\n'
    ? text.replace(/\r?\n/g, '\r\n')
    : text.replaceAll('\r\n', '\n');
}

/** Sets every CRLF or LF in 7bit/8bit content to `linesep`, copying only when something changes. */
function rawLineEnds(bytes: Buffer, linesep: string): Buffer {
  const crlf = linesep === '\r\n';
  let changes = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1))
    if ((bytes[i - 1] === 0x0d) !== crlf) changes++;
  if (!changes) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + (crlf ? changes : -changes));
  let from = 0;
  let to = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    const hasCr = bytes[i - 1] === 0x0d;
    if (hasCr === crlf) continue;
    const end = hasCr ? i - 1 : i;
    to += bytes.copy(out, to, from, end);
    if (crlf) out[to++] = 0x0d;
    out[to++] = 0x0a;
    from = i + 1;
  }
  bytes.copy(out, to, from);
  return out;
}

/** A raw stream base64-encoded in lines of {@link BODY_LINE}, errors passed on. */
function base64Stream(source: Readable, linesep: string): Readable {
  const encoder = new base64.Encoder({ lineLength: BODY_LINE });
  if (linesep === '\r\n') return pipeline(source, encoder, () => {});
  return pipeline(source, encoder, new CrlfToLf(), () => {});
}

/** Drops the CR of base64 output lines (which hold no other CR). */
class CrlfToLf extends Transform {
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: TransformCallback,
  ): void {
    done(
      null,
      chunk.includes(0x0d)
        ? Buffer.from(chunk.filter((b) => b !== 0x0d))
        : chunk,
    );
  }
}

/** Collects text and bytes into as few Buffers as possible, between streamed segments. */
class SegmentWriter {
  private readonly segments: Segment[] = [];
  private pending: Array<string | Buffer> = [];
  private size = 0;

  /** ASCII text (headers, boundaries, encoded bodies). */
  text(text: string): void {
    this.pending.push(text);
    this.size += text.length;
  }

  bytes(bytes: Buffer): void {
    this.pending.push(bytes);
    this.size += bytes.length;
  }

  add(segment: Segment): void {
    if (Buffer.isBuffer(segment)) this.bytes(segment);
    else {
      this.flush();
      this.segments.push(segment);
    }
  }

  finish(): Segment[] {
    this.flush();
    return this.segments;
  }

  private flush(): void {
    if (!this.pending.length) return;
    const buffer = Buffer.allocUnsafe(this.size);
    let at = 0;
    for (const piece of this.pending) {
      if (typeof piece === 'string') at += buffer.write(piece, at, 'latin1');
      else at += piece.copy(buffer, at);
    }
    this.segments.push(buffer);
    this.pending = [];
    this.size = 0;
  }
}
