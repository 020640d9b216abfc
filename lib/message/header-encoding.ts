import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import { BadHeaderError } from '../errors/bad-header.error.js';
import type { Mailbox, MailboxGroup } from './address.js';

/** RFC 5322 §2.1.1: no line of a message may exceed 998 octets. */
export const MAX_LINE_LENGTH = 998;
/** Folding width (RFC 5322 §2.1.1 recommends 78 characters; 76 as Python and nodemailer). */
const FOLD_WIDTH = 76;
/** Longest encoded-word chunk, as nodemailer uses it. */
const WORD_LENGTH = 52;
/** A display-name word longer than a folded line is sent as encoded-words. */
const MAX_NAME_WORD = 76;

/**
 * Headers whose syntax forbids encoded-words and that must be plain ASCII
 * (RFC 5322 §3.6.4, RFC 2045 §7): non-ASCII there is refused.
 */
const ASCII_ONLY = new Set([
  'message-id',
  'in-reply-to',
  'references',
  'content-id',
]);
/** Headers that cannot carry encoded-words: an unfoldable word there is an error. */
const UNENCODABLE = new Set([
  ...ASCII_ONLY,
  'from',
  'sender',
  'to',
  'cc',
  'reply-to',
  'date',
]);
/** Headers sent as given (after the checks above), never as encoded-words. */
const VERBATIM = new Set([...UNENCODABLE, 'otp-token']);

/**
 * Anything a lenient decoder (libmime, Python) reads as an RFC 2047
 * encoded-word, anywhere in a value. Text that matches is encoded itself, so a
 * subject typed as `=?utf-8?q?x?=` reads back as typed instead of as `x`.
 */
const ENCODED_WORD_LOOKALIKE = /=\?[^?]*\?[BbQq]\?[^?]*\?=/;
/** Characters an unstructured value cannot carry as they are (CR and LF never get this far). */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** RFC 5322 atoms separated by single spaces: a phrase that needs no quotes. */
const ATOMS =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+( [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
/** Printable ASCII and tab: safe in any unstructured header as it is. */
const PRINTABLE = /^[\x20-\x7e\t]*$/;
/** An address without specials can go out bare; anything else goes in angle brackets. */
const PLAIN_ADDRESS = /^[^\s"(),:;<>@[\\\]]+@[^\s"(),:;<>@[\\\]]+$/;

/** `Q` when most letters are Latin, else `B`: the shorter encoding, as nodemailer picks it. */
function wordEncoding(value: string): 'Q' | 'B' {
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80 || (code < 0x20 && code !== 0x09) || code === 0x7f)
      nonLatin++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a))
      latin++;
  }
  return nonLatin < latin ? 'Q' : 'B';
}

/** Encodes a whole value as UTF-8 encoded-words. */
function encodeWhole(value: string, encoding = wordEncoding(value)): string {
  return mimeFuncs.encodeWord(value, encoding, WORD_LENGTH);
}

/** True when a whitespace-free run of `text`, after `indent` columns, cannot fit on one line. */
function hasOverlongWord(text: string, indent: number): boolean {
  let run = indent;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09) run = 0;
    else if (++run > MAX_LINE_LENGTH) return true;
  }
  return false;
}

/**
 * An unstructured value (RFC 5322 §3.6.5): plain printable ASCII as it is,
 * otherwise UTF-8 encoded-words (the whole value, as nodemailer does, since
 * some clients drop the space around a partly encoded value). A value with
 * an encoded-word look-alike, a control character or a word too long to
 * fold is encoded too.
 */
function encodeUnstructured(name: string, value: string): string {
  // The common case: short printable ASCII with nothing that reads as an encoded-word.
  if (
    value.length + name.length < FOLD_WIDTH * 10 &&
    PRINTABLE.test(value) &&
    !value.includes('=?')
  )
    return value;
  if (ENCODED_WORD_LOOKALIKE.test(value)) return encodeWhole(value, 'Q');
  if (CONTROL.test(value)) return encodeWhole(value);
  const encoded = mimeFuncs.encodeWords(
    value,
    wordEncoding(value),
    WORD_LENGTH,
    true,
  );
  return hasOverlongWord(encoded, name.length + 2)
    ? encodeWhole(value, 'Q')
    : encoded;
}

/** A display name: an atom run as it is, a quoted string, or encoded-words. */
function encodeDisplayName(name: string): string {
  if (
    ENCODED_WORD_LOOKALIKE.test(name) ||
    name.split(/\s+/).some((word) => word.length > MAX_NAME_WORD)
  )
    return encodeWhole(name, 'Q');
  if (/^[\w ]*$/.test(name)) return name;
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name.replace(/["\\]/g, '\\$&')}"`;
  return encodeWhole(name);
}

/** One mailbox as it goes in an address header. */
function formatMailbox({ name, address }: Mailbox): string {
  if (name) return `${encodeDisplayName(name)} <${address}>`;
  return PLAIN_ADDRESS.test(address) ? address : `<${address}>`;
}

/** An address header's value: mailboxes and groups (`name: a, b;`), comma-separated. */
function encodeAddressList(list: Array<Mailbox | MailboxGroup>): string {
  return list
    .map((item) =>
      'group' in item
        ? `${ATOMS.test(item.group) ? item.group : encodeDisplayName(item.group)}:${item.members.map(formatMailbox).join(', ')};`
        : formatMailbox(item),
    )
    .join(', ');
}

/**
 * One header as an unfolded line: the value checked and encoded by the
 * header's kind. Address lists come parsed; every other value is text whose
 * line breaks were refused already.
 *
 * @throws BadHeaderError for non-ASCII in a msg-id header, or a word that
 *   cannot be folded in a header that cannot be encoded.
 */
export function headerLine(
  name: string,
  value: string | Array<Mailbox | MailboxGroup>,
): string {
  const lower = name.toLowerCase();
  let text: string;
  if (typeof value !== 'string') text = encodeAddressList(value);
  else if (VERBATIM.has(lower)) {
    if (/[^\x20-\x7e\t]/.test(value)) {
      throw new BadHeaderError(
        `The ${name} header must be printable ASCII (got ${JSON.stringify(value)}): ` +
          (ASCII_ONLY.has(lower)
            ? 'message ids cannot be encoded, so use an id such as <local@example.com>'
            : 'this header cannot be encoded'),
      );
    }
    text = value;
  } else text = encodeUnstructured(name, value);
  if (UNENCODABLE.has(lower) && hasOverlongWord(text, name.length + 2)) {
    throw new BadHeaderError(
      `The ${name} header holds a word too long for one line (over ${MAX_LINE_LENGTH} octets)`,
    );
  }
  return `${name}: ${text}`;
}

/**
 * A structured MIME header value (`Content-Type`, `Content-Disposition`):
 * the value, then each parameter as a token, a quoted string, or RFC 2231
 * continuations when it is long or not ASCII.
 */
export function structuredValue(
  value: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  if (!params.length) return value;
  return mimeFuncs.buildHeaderValue({
    value,
    params: Object.fromEntries(params),
  });
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
export function foldHeaderLine(line: string, linesep = '\r\n'): string {
  if (line.length < FOLD_WIDTH) return line;
  const lines: string[] = [];
  let start = 0;
  while (line.length - start >= FOLD_WIDTH) {
    const end = breakAt(line, start);
    if (end < 0) break;
    lines.push(line.slice(start, end));
    start = end;
  }
  lines.push(line.slice(start));
  return lines.join(linesep);
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

/**
 * A header name in its usual spelling (`message-id` → `Message-ID`,
 * `x-mailer` → `X-Mailer`, `mime-version` → `MIME-Version`), as nodemailer
 * spells them, so two spellings of one name make one header.
 */
export function normalizeHeaderName(name: string): string {
  let normalized = spellings.get(name);
  if (normalized === undefined) {
    normalized = spell(name);
    if (spellings.size < MAX_SPELLINGS) spellings.set(name, normalized);
  }
  return normalized;
}

/** Names seen so far and their spelling: a few dozen in practice, bounded all the same. */
const spellings = new Map<string, string>();
const MAX_SPELLINGS = 1024;

function spell(name: string): string {
  return name
    .toLowerCase()
    .replace(
      /^X-SMTPAPI$|^(MIME|DKIM|ARC|BIMI)\b|^OTP(?=-Token$)|^[a-z]|-(SPF|FBL|ID|MD5)$|-[a-z]/gi,
      (c) => c.toUpperCase(),
    )
    .replace(/^Content-Features$/i, 'Content-features');
}
