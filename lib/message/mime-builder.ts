import * as qp from 'nodemailer/lib/qp';
import type { Readable } from 'node:stream';
import type { Mailbox, MailboxGroup } from './address.js';
import { canonicalCharset, encodeText } from './charset.js';
import type { MimeMessage } from './mime-message.js';

/** Content-Transfer-Encoding of a leaf. */
export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

/** Parameters of a `Content-Type`, in order, names lower-case. */
export type ContentParams = Array<[name: string, value: string]>;

/** A leaf of the MIME tree: one body, alternative, attachment or inline part. */
export interface LeafPart {
  /** `type/subtype`, lower-case, never `multipart/*`. */
  type: string;
  /** `Content-Type` parameters (`charset`, `method`, ...). */
  params: ContentParams;
  /**
   * Bytes (text with LF line ends for 7bit/8bit/quoted-printable), a factory
   * for a fresh stream of raw bytes on every render (always base64), or a
   * nested message (`message/*`, sent as it renders).
   */
  content: Buffer | (() => Readable) | MimeMessage;
  transferEncoding: TransferEncoding;
  /** The body already in its transfer encoding (CRLF line ends), when choosing it produced that. */
  encoded?: string;
  filename?: string;
  /** `Content-Disposition`; none when absent. */
  disposition?: 'attachment' | 'inline';
  /** `Content-ID`, with its angle brackets. */
  contentId?: string;
  /** Extra headers of this part, checked already. */
  headers?: Array<[name: string, value: string]>;
}

/** A `multipart/*` node. */
export interface MultiPart {
  /** `multipart/mixed`, `multipart/alternative`, `multipart/related`, ... */
  type: string;
  params: ContentParams;
  parts: Part[];
  disposition?: 'attachment' | 'inline';
  filename?: string;
  contentId?: string;
  headers?: Array<[name: string, value: string]>;
}

/** A node of the MIME tree the serializer writes. */
export type Part = LeafPart | MultiPart;

/** A header of the top node; address headers carry parsed mailboxes and groups. */
export type RootHeader = [
  name: string,
  value: string | Array<Mailbox | MailboxGroup>,
];

/** RFC 5322 §2.1.1 recommends 78 characters a line; longer lines get QP or base64, as in Python. */
const MAX_RAW_LINE = 78;
const SNIFF_LINES = 10;
/** Text up to this size is quoted-printable encoded once, to decide and to send. */
const ENCODE_WHOLE = 16 * 1024;

/** Length of the first `lines` lines of quoted-printable text (soft breaks are `=` CRLF); all for -1. */
function qpLength(text: string, lines: number): number {
  if (lines < 0) return text.length;
  let seen = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    const soft = text[at - 1] === '\r' && text[at - 2] === '=';
    if (!soft && ++seen === lines) return at + 1;
  }
  return text.length;
}

/**
 * Builds a text part Django's way: line endings normalised (no bare CR can
 * reach the wire), a final newline, the charset applied, and the transfer
 * encoding chosen as Python's email package does it: `7bit` for short ASCII
 * lines, `8bit` for short non-ASCII lines, otherwise the shorter of
 * quoted-printable and base64 over the first lines.
 *
 * @param params further `Content-Type` parameters (`method` of a calendar), after `charset`.
 */
export function textPart(
  text: string,
  subtype: string,
  charset: string,
  params: ContentParams = [],
): LeafPart {
  let normalized = text.replace(/\r\n?/g, '\n');
  if (!normalized.endsWith('\n')) normalized += '\n';
  const content = encodeText(normalized, charset);
  let encoded: string | undefined;
  const transferEncoding = chooseTextEncoding(content, (qpText) => {
    encoded = qpText;
  });
  return {
    type: `text/${subtype}`,
    params: [
      ['charset', canonicalCharset(charset)],
      ...params.filter(([name]) => name !== 'charset'),
    ],
    content,
    transferEncoding,
    ...(encoded === undefined ? {} : { encoded }),
  };
}

/**
 * Python's choice of transfer encoding for text bytes (LF line ends).
 *
 * @param keepQp called with the quoted-printable form of the whole text
 *   when it was computed to decide (short texts) and chosen.
 */
export function chooseTextEncoding(
  bytes: Buffer,
  keepQp?: (encoded: string) => void,
): TransferEncoding {
  let longest = 0;
  let lineStart = 0;
  let ascii = true;
  let sniffEnd = -1;
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x0a) {
      if (i - lineStart > longest) longest = i - lineStart;
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
  const base64Length = Math.ceil(sniff.length / 3) * 4 + 1;
  if (bytes.length > ENCODE_WHOLE) {
    const sniffed = qp.wrap(qp.encode(sniff), 76).length;
    return sniffed > base64Length ? 'base64' : 'quoted-printable';
  }
  // Short text: encode it all once; the sniffed lines' encoding is a prefix of it
  // (quoted-printable works line by line), up to the matching hard line break.
  const qpText = qp.wrap(qp.encode(bytes), 76);
  if (qpLength(qpText, lines < SNIFF_LINES ? -1 : SNIFF_LINES) > base64Length)
    return 'base64';
  keepQp?.(qpText);
  return 'quoted-printable';
}
