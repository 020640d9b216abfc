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

/** The nodemailer MimeNode internals that {@link PartNode} refines. */
interface MimeNodeInternals {
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

  /** A display name with a word too long to fold goes out as encoded-words, which fold. */
  _encodeAddressName(name: string): string {
    return name.split(/\s+/).some((word) => word.length > MAX_NAME_WORD)
      ? mimeFuncs.encodeWord(name, 'Q', 52)
      : nodemailerNode._encodeAddressName.call(this, name);
  }

  /**
   * nodemailer folds at whitespace only, so a long enough word would make a
   * line over 998 octets: unstructured values then become encoded-words (as
   * Python does), long parameters RFC 2231 continuations.
   */
  encodeHeaderValue(key: string, value: unknown): string {
    const encoded = nodemailerNode.encodeHeaderValue.call(this, key, value);
    if (!hasOverlongWord(encoded, key.length + 2)) return encoded;
    const lower = key.toLowerCase();
    if (lower === 'content-type' || lower === 'content-disposition')
      return mimeFuncs.buildHeaderValue(mimeFuncs.parseHeaderValue(encoded));
    if (UNENCODABLE.has(lower)) {
      throw new BadHeaderError(
        `The ${key} header holds a word too long for one line (over ${MAX_LINE_LENGTH} octets)`,
      );
    }
    return mimeFuncs.encodeWord(String(value), 'Q', 52);
  }
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
