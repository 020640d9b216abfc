import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';
import type { Readable } from 'node:stream';
import { BadHeaderError } from '../errors/bad-header.error.js';
import type { Mailbox } from './address.js';
import { canonicalCharset, encodeText } from './charset.js';

/** A leaf of the MIME tree: one body, alternative or attachment. */
export interface LeafPart {
  contentType: string;
  /** Bytes, or a factory for a fresh stream on every render. */
  content: Buffer | (() => Readable);
  transferEncoding: string;
  filename?: string;
  disposition?: 'attachment';
}

/** A `multipart/*` node. */
export interface MultiPart {
  contentType: 'multipart/mixed' | 'multipart/alternative';
  parts: MimePart[];
}

export type MimePart = LeafPart | MultiPart;

/** A header of the top node; address headers carry parsed mailboxes. */
export type RootHeader = [name: string, value: string | Mailbox[]];

/** RFC 5322 §2.1.1 recommends 78 characters a line; longer lines get QP or base64, as in Python. */
const MAX_RAW_LINE = 78;
const SNIFF_LINES = 10;

/**
 * Builds a text part Django's way: line endings normalised (no bare CR can
 * reach the wire), a final newline, the charset applied, and the transfer
 * encoding chosen as Python's email package does it: `7bit` for short ASCII
 * lines, `8bit` for short non-ASCII lines, otherwise the shorter of
 * quoted-printable and base64 over the first lines.
 */
export function textPart(
  text: string,
  subtype: string,
  charset: string,
): LeafPart {
  let normalized = text.replace(/\r\n?/g, '\n');
  if (!normalized.endsWith('\n')) normalized += '\n';
  const content = encodeText(normalized, charset);
  return {
    contentType: `text/${subtype}; charset=${canonicalCharset(charset)}`,
    content,
    transferEncoding: chooseTextEncoding(content),
  };
}

function chooseTextEncoding(bytes: Buffer): string {
  let longest = 0;
  let lineStart = 0;
  let ascii = true;
  let sniffEnd = -1;
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x0a) {
      longest = Math.max(longest, i - lineStart);
      lineStart = i + 1;
      if (++lines === SNIFF_LINES) sniffEnd = i + 1;
    } else if (byte > 0x7f) {
      ascii = false;
    } else if (byte === 0) {
      longest = Infinity; // NUL is not allowed in 7bit or 8bit data (RFC 2045 §2.7)
    }
  }
  longest = Math.max(longest, bytes.length - lineStart);
  if (longest <= MAX_RAW_LINE) return ascii ? '7bit' : '8bit';
  const sniff = sniffEnd < 0 ? bytes : bytes.subarray(0, sniffEnd);
  const qpLength = qp.wrap(qp.encode(sniff), 76).length;
  const base64Length = Math.ceil(sniff.length / 3) * 4 + 1;
  return qpLength > base64Length ? 'base64' : 'quoted-printable';
}

/** RFC 5322 §2.1.1: no line of a message may exceed 998 octets. */
export const MAX_LINE_LENGTH = 998;
/** A display-name word longer than a folded line is sent as encoded-words. */
const MAX_NAME_WORD = 76;
/** Headers whose syntax forbids encoded-words: an unfoldable word there is an error. */
const UNENCODABLE = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'reply-to',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'content-id',
]);

/**
 * Headers nodemailer does not encode as unstructured text; every other header
 * is unstructured (RFC 5322 §3.6.5) and may be sent as encoded-words.
 */
const STRUCTURED = new Set([
  ...UNENCODABLE,
  'bcc',
  'content-type',
  'content-disposition',
  'content-transfer-encoding',
  'mime-version',
  'otp-token',
]);
/**
 * Anything a lenient decoder (libmime, Python) reads as an RFC 2047
 * encoded-word, anywhere in a value. Text that matches is encoded itself, so a
 * subject typed as `=?utf-8?q?x?=` reads back as typed instead of as `x`.
 */
const ENCODED_WORD_LOOKALIKE = /=\?[^?]*\?[BbQq]\?[^?]*\?=/;
/** nodemailer's folding width. */
const FOLD_WIDTH = 76;

/** The nodemailer MimeNode internals that {@link PartNode} refines. */
interface MimeNodeInternals {
  buildHeaders(): string;
  encodeHeaderValue(key: string, value: unknown): string;
  _encodeAddressName(name: string): string;
  _normalizeAddress(address: string): string;
}
const nodemailerNode = MimeNode.prototype as unknown as MimeNodeInternals;

/** True when a whitespace-free run of `text`, after `indent` columns, cannot fit on one line. */
function hasOverlongWord(text: string, indent: number): boolean {
  return text
    .split(/\s+/)
    .some((word) => indent + word.length > MAX_LINE_LENGTH);
}

/**
 * A MimeNode whose transfer encoding is ours to choose (nodemailer never picks
 * 8bit), that keeps our validated addresses byte for byte, and that never
 * writes a header line over 998 octets.
 */
class PartNode extends MimeNode {
  transferEncoding?: string;
  override getTransferEncoding(): string | false {
    return this.transferEncoding ?? super.getTransferEncoding();
  }

  /** Addresses were parsed and punycoded already; nodemailer would lowercase an ASCII domain. */
  _normalizeAddress(address: string): string {
    return /^[\x20-\x7e]+$/.test(address)
      ? address
      : nodemailerNode._normalizeAddress.call(this, address);
  }

  /**
   * A display name with a word too long to fold, or that looks like an
   * encoded-word, goes out as encoded-words.
   */
  _encodeAddressName(name: string): string {
    return ENCODED_WORD_LOOKALIKE.test(name) ||
      name.split(/\s+/).some((word) => word.length > MAX_NAME_WORD)
      ? mimeFuncs.encodeWord(name, 'Q', 52)
      : nodemailerNode._encodeAddressName.call(this, name);
  }

  /**
   * nodemailer folds at whitespace only, so a long enough word would make a
   * line over 998 octets: unstructured values then become encoded-words (as
   * Python does), long parameters RFC 2231 continuations. nodemailer passes a
   * valid-looking encoded-word through as if it were pre-encoded; an
   * unstructured value holding one is encoded whole instead.
   */
  encodeHeaderValue(key: string, value: unknown): string {
    const lower = key.toLowerCase();
    if (
      !STRUCTURED.has(lower) &&
      typeof value === 'string' &&
      ENCODED_WORD_LOOKALIKE.test(value)
    )
      return mimeFuncs.encodeWord(value, 'Q', 52);
    const encoded = nodemailerNode.encodeHeaderValue.call(this, key, value);
    if (!hasOverlongWord(encoded, key.length + 2)) return encoded;
    if (lower === 'content-type' || lower === 'content-disposition')
      return mimeFuncs.buildHeaderValue(mimeFuncs.parseHeaderValue(encoded));
    if (UNENCODABLE.has(lower)) {
      throw new BadHeaderError(
        `The ${key} header holds a word too long for one line (over ${MAX_LINE_LENGTH} octets)`,
      );
    }
    return mimeFuncs.encodeWord(String(value), 'Q', 52);
  }

  /**
   * nodemailer folds in front of a whole run of white space, and common
   * parsers (libmime among them) unfold a line break and the white space after
   * it into one space, losing the rest of the run. The header lines are
   * refolded with {@link foldHeaderLine}, which any unfolding reads back exactly.
   */
  buildHeaders(): string {
    return (
      nodemailerNode.buildHeaders
        .call(this)
        // Header values hold no CR or LF, so every CRLF followed by white space is a fold.
        .replace(/\r\n(?=[ \t])/g, '')
        .split('\r\n')
        .map(foldHeaderLine)
        .join('\r\n')
    );
  }
}

const isWsp = (char: string | undefined) => char === ' ' || char === '\t';

/**
 * Folds one unfolded header line at {@link FOLD_WIDTH} columns, RFC 5322 §2.2.3.
 * A line breaks only in front of a single space that is followed by visible
 * text, so the continuation starts with exactly one space: removing the CRLF
 * (RFC 5322) and replacing CRLF and the white space after it with one space
 * (libmime, many clients) give the same value. Without such a space a line may
 * run past 76 columns; only a line that would exceed 998 octets breaks in
 * front of other white space (where libmime reads a tab as a space).
 */
export function foldHeaderLine(line: string): string {
  const lines: string[] = [];
  let start = 0;
  while (line.length - start >= FOLD_WIDTH) {
    const end = breakAt(line, start);
    if (end < 0) break;
    lines.push(line.slice(start, end));
    start = end;
  }
  lines.push(line.slice(start));
  return lines.join('\r\n');
}

/** Where the line starting at `start` should end, or -1 to leave the rest whole. */
function breakAt(line: string, start: number): number {
  const clean = (at: number) =>
    line[at] === ' ' && at + 1 < line.length && !isWsp(line[at + 1]);
  // The last clean space within the width, else the first one after it.
  for (let at = start + FOLD_WIDTH - 1; at > start; at--) {
    if (clean(at)) return at;
  }
  const last = Math.min(line.length - 1, start + MAX_LINE_LENGTH - 1);
  for (let at = start + FOLD_WIDTH; at <= last; at++) {
    if (clean(at)) return at;
  }
  if (line.length - start <= MAX_LINE_LENGTH) return -1;
  for (let at = last; at > start; at--) {
    if (isWsp(line[at]) && line.slice(start, at).trim()) return at;
  }
  return -1;
}

/** Options for one render of a message tree. */
export interface TreeOptions {
  baseBoundary: string;
  newline: '\r\n' | '\n';
}

/**
 * Builds a fresh nodemailer MIME tree. File and URL access are disabled: the
 * content is always the bytes this package put there.
 */
export function buildTree(
  top: MimePart,
  headers: RootHeader[],
  options: TreeOptions,
): MimeNode {
  const root = new PartNode(top.contentType, {
    baseBoundary: options.baseBoundary,
    newline: options.newline === '\r\n' ? 'win' : 'linux',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  fill(root, top);
  for (const [name, value] of headers) root.setHeader(name, value);
  return root;
}

function fill(node: PartNode, part: MimePart): void {
  if ('parts' in part) {
    for (const child of part.parts) {
      const childNode = new PartNode(child.contentType, {
        rootNode: node.rootNode,
        parentNode: node,
        filename: leafFilename(child),
      });
      node.appendChild(childNode);
      fill(childNode, child);
    }
    return;
  }
  node.transferEncoding = part.transferEncoding;
  node.setContent(
    Buffer.isBuffer(part.content) ? part.content : part.content(),
  );
  if (part.disposition) node.setHeader('Content-Disposition', part.disposition);
}

function leafFilename(part: MimePart): string | undefined {
  return 'parts' in part ? undefined : part.filename;
}
