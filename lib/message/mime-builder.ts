import MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';
import type { Readable } from 'node:stream';
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

/** A MimeNode whose transfer encoding is ours to choose (nodemailer never picks 8bit). */
class PartNode extends MimeNode {
  transferEncoding?: string;
  override getTransferEncoding(): string | false {
    return this.transferEncoding ?? super.getTransferEncoding();
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
