import { domainToASCII } from 'node:url';
import { BadHeaderError } from '../errors/bad-header.error.js';
import { InvalidAddressError } from '../errors/invalid-address.error.js';
import { NEWLINE_IN_HEADER } from '../mail.messages.js';

/** One mailbox, ready for nodemailer and for the SMTP envelope. */
export interface Mailbox {
  /** Display name, unquoted and unescaped; `''` when there is none. */
  name: string;
  /** `local@domain` with the domain in ASCII (punycode), or a bare local part. */
  address: string;
}

/** An RFC 5322 group, `name: a@x, b@y;`: shown in a header, never in the envelope by itself. */
export interface MailboxGroup {
  /** The group's display name, e.g. `undisclosed-recipients`. */
  group: string;
  /** Its mailboxes; often none. */
  members: Mailbox[];
}

/** RFC 5322 §2.1.1: no header line may exceed 998 octets, so neither may one address. */
const MAX_ADDRESS_LENGTH = 998;
/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, angle brackets included. */
const MAX_ADDR_SPEC_LENGTH = 254;
/** A header override listing addresses; bounded so hostile input fails fast. */
const MAX_LIST_LENGTH = 64 * 1024;
const MAX_LIST_ITEMS = 1000;

const CR_OR_LF = /[\r\n]/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
// RFC 5322 atext, plus any non-ASCII character in display names (RFC 6532).
const PHRASE_CHAR = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\u0080-\uffff]/;
const ATEXT_ASCII =
  /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const LDH_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const DOMAIN_LITERAL = /^\[[\x21-\x5a\x5e-\x7e]*\]$/;

/**
 * Throws {@link BadHeaderError} when `value` holds a CR or LF. Every header
 * value, header name, address, filename and mimetype goes through this.
 */
export function forbidNewlines(value: string, what: string): void {
  if (CR_OR_LF.test(value)) {
    throw new BadHeaderError(
      `${NEWLINE_IN_HEADER} (got ${JSON.stringify(value)} for ${what})`,
    );
  }
}

/**
 * Parses exactly one mailbox: `addr`, `Name <addr>`, `"Quoted, Name" <addr>`,
 * `"quoted local"@domain` or a bare local part (`django`). Comments are
 * accepted and dropped (`john@example.com (John Smith)`: a comment next to
 * an address without a display name becomes its display name, as mail
 * clients show it). Groups, obsolete routes and a second mailbox are
 * refused, and so is a non-ASCII local part. A non-ASCII domain is converted to punycode (UTS #46, as Node's
 * URL parser and nodemailer do); an ASCII domain is kept byte for byte.
 *
 * @throws BadHeaderError on CR or LF; InvalidAddressError on anything else.
 */
export function parseMailbox(input: string, what = 'address'): Mailbox {
  if (typeof input !== 'string') {
    throw new TypeError(`${what} must be a string, got ${describe(input)}`);
  }
  forbidNewlines(input, what);
  const invalid = (reason: string) => new InvalidAddressError(input, reason);
  if (input.length > MAX_ADDRESS_LENGTH)
    throw invalid(`longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (CONTROL.test(input)) throw invalid('contains a control character');
  const { text, comments } = stripComments(input, invalid);
  if (indexOutsideQuotes(text, ':') >= 0 && indexOutsideQuotes(text, '<') < 0)
    throw invalid(
      'a group ("name: addresses;") is only allowed in a To, Cc or Reply-To header override',
    );
  const mailbox = parseBareMailbox(text, invalid);
  if (!mailbox.name && comments.length)
    mailbox.name = comments.join(' ').replace(/\s+/g, ' ').trim();
  return mailbox;
}

function parseBareMailbox(
  input: string,
  invalid: (reason: string) => Error,
): Mailbox {
  const open = indexOutsideQuotes(input, '<');
  if (open < 0) {
    const spec = input.trim();
    if (indexOutsideQuotes(spec, ',') >= 0)
      throw invalid('must be a single address');
    return { name: '', address: parseAddrSpec(spec, invalid) };
  }
  const close = indexOutsideQuotes(input, '>', open);
  if (close < 0) throw invalid('missing ">"');
  const trailer = input.slice(close + 1).trim();
  if (trailer) {
    throw invalid(
      trailer.startsWith(',')
        ? 'must be a single address'
        : `unexpected text after ">"`,
    );
  }
  const name = parsePhrase(input.slice(0, open), invalid);
  return {
    name,
    address: parseAddrSpec(input.slice(open + 1, close).trim(), invalid),
  };
}

/**
 * Parses a comma-separated list of mailboxes, as given in a header override
 * such as `headers: { To: 'A <a@x>, "B, b" <b@x>' }`. Each item is held to
 * {@link parseMailbox}; the list is bounded in length and count.
 */
export function parseMailboxList(
  input: string,
  what = 'address list',
): Mailbox[] {
  if (typeof input !== 'string') {
    throw new TypeError(`${what} must be a string, got ${describe(input)}`);
  }
  forbidNewlines(input, what);
  if (input.length > MAX_LIST_LENGTH) {
    throw new InvalidAddressError(
      input.slice(0, 40) + '…',
      `${what} is longer than ${MAX_LIST_LENGTH} characters`,
    );
  }
  const items = splitList(input);
  if (items.length > MAX_LIST_ITEMS) {
    throw new InvalidAddressError(
      input.slice(0, 40) + '…',
      `${what} holds more than ${MAX_LIST_ITEMS} addresses`,
    );
  }
  return items.map((item) => parseMailbox(item.trim(), what));
}

/**
 * Parses an address header override (`To`, `Cc`, `Reply-To`): mailboxes as
 * {@link parseMailboxList}, and RFC 5322 groups, `undisclosed-recipients:;`
 * or `Team: a@example.com, b@example.com;`. A group only changes what the
 * header shows; the envelope always comes from `to`, `cc` and `bcc`.
 */
export function parseAddressList(
  input: string,
  what = 'address list',
): Array<Mailbox | MailboxGroup> {
  if (typeof input !== 'string') {
    throw new TypeError(`${what} must be a string, got ${describe(input)}`);
  }
  if (indexOutsideQuotes(input, ':') < 0) return parseMailboxList(input, what);
  forbidNewlines(input, what);
  if (input.length > MAX_LIST_LENGTH) {
    throw new InvalidAddressError(
      input.slice(0, 40) + '…',
      `${what} is longer than ${MAX_LIST_LENGTH} characters`,
    );
  }
  const invalid = (reason: string) => new InvalidAddressError(input, reason);
  const out: Array<Mailbox | MailboxGroup> = [];
  let count = 0;
  const mailboxes = (text: string) => {
    const list = parseMailboxList(text, what);
    count += list.length;
    if (count > MAX_LIST_ITEMS)
      throw invalid(`${what} holds more than ${MAX_LIST_ITEMS} addresses`);
    return list;
  };
  let start = 0;
  let colon = -1;
  let angle = false;
  let afterGroup = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    const skipped = skipQuoteOrComment(input, i);
    if (skipped !== i) {
      if (skipped >= 0) i = skipped;
      else if (c === '(') throw invalid('unterminated comment');
      else break;
    } else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (angle) continue;
    else if (c === ':' && colon < 0) colon = i;
    else if (c === ';' && colon >= 0) {
      const name = parsePhrase(
        stripComments(input.slice(start, colon), invalid).text,
        invalid,
      );
      if (!name) throw invalid('a group without a name');
      const members = input.slice(colon + 1, i);
      out.push({
        group: name,
        members: stripComments(members, invalid).text.trim()
          ? mailboxes(members)
          : [],
      });
      colon = -1;
      afterGroup = true;
      start = i + 1;
    } else if (c === ',' && colon < 0) {
      const item = input.slice(start, i);
      if (!(afterGroup && !item.trim())) out.push(...mailboxes(item));
      afterGroup = false;
      start = i + 1;
    }
  }
  if (colon >= 0) throw invalid('a group without its closing ";"');
  const rest = input.slice(start);
  if (!(afterGroup && !rest.trim())) out.push(...mailboxes(rest));
  return out;
}

/** The end of the quoted string or comment starting at `at` (-1 if it never ends), else `at`. */
function skipQuoteOrComment(text: string, at: number): number {
  if (text[at] === '"') return closingQuote(text, at);
  if (text[at] === '(') return closingParen(text, at);
  return at;
}

/** Index of the `)` closing the comment opened at `open` (nested, with escapes); -1 if none. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Removes RFC 5322 comments (`(...)`, nested, with `\\` escapes) outside
 * quoted strings, each replaced by a space so no two words join.
 */
function stripComments(
  input: string,
  invalid: (reason: string) => Error,
): { text: string; comments: string[] } {
  if (!input.includes('(') && !input.includes(')'))
    return { text: input, comments: [] };
  const comments: string[] = [];
  let text = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '"') {
      const end = closingQuote(input, i);
      if (end < 0) return { text: text + input.slice(i), comments };
      text += input.slice(i, end + 1);
      i = end;
    } else if (c === '(') {
      const end = closingParen(input, i);
      if (end < 0) throw invalid('unterminated comment');
      // The comment's text: nested parentheses kept, escapes undone.
      comments.push(input.slice(i + 1, end).replace(/\\([\s\S])/g, '$1'));
      text += ' ';
      i = end;
    } else if (c === ')') {
      throw invalid('")" without "("');
    } else text += c;
  }
  return { text, comments };
}

function parseAddrSpec(
  spec: string,
  invalid: (reason: string) => Error,
): string {
  if (!spec) throw invalid('empty address');
  let local: string;
  let domain: string | undefined;
  if (spec.startsWith('"')) {
    const end = closingQuote(spec, 0);
    if (end < 0) throw invalid('unterminated quoted local part');
    local = spec.slice(0, end + 1);
    const tail = spec.slice(end + 1);
    if (tail && !tail.startsWith('@'))
      throw invalid('text after the quoted local part');
    domain = tail ? tail.slice(1) : undefined;
  } else {
    const at = spec.indexOf('@');
    local = at < 0 ? spec : spec.slice(0, at);
    domain = at < 0 ? undefined : spec.slice(at + 1);
    if (!ATEXT_ASCII.test(local)) {
      throw invalid(
        /[^\x00-\x7f]/.test(local)
          ? 'local part contains non-ASCII characters (SMTPUTF8 is not supported)'
          : 'invalid local part',
      );
    }
  }
  if (/[^\x00-\x7f]/.test(local)) {
    throw invalid(
      'local part contains non-ASCII characters (SMTPUTF8 is not supported)',
    );
  }
  const address =
    domain === undefined ? local : `${local}@${asciiDomain(domain, invalid)}`;
  if (address.length > MAX_ADDR_SPEC_LENGTH)
    throw invalid(`longer than ${MAX_ADDR_SPEC_LENGTH} characters`);
  return address;
}

function asciiDomain(
  domain: string,
  invalid: (reason: string) => Error,
): string {
  if (!domain) throw invalid('missing domain');
  if (domain.startsWith('[')) {
    if (!DOMAIN_LITERAL.test(domain)) throw invalid('invalid domain literal');
    return domain;
  }
  // Only non-ASCII domains are converted: an existing `xn--` domain stays exactly as given.
  const ascii = /^[\x00-\x7f]*$/.test(domain) ? domain : domainToASCII(domain);
  if (
    !ascii ||
    ascii.length > 253 ||
    !ascii.split('.').every((label) => LDH_LABEL.test(label))
  ) {
    throw invalid('invalid domain');
  }
  return ascii;
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Splits on commas outside quoted strings and angle brackets. */
function splitList(input: string): string[] {
  const items: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    // No comma in a quoted string or comment separates; an unterminated one fails in parseMailbox.
    const skipped = skipQuoteOrComment(input, i);
    if (skipped !== i) {
      if (skipped < 0) break;
      i = skipped;
    } else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      items.push(input.slice(start, i));
      start = i + 1;
    }
  }
  items.push(input.slice(start));
  return items;
}

function describe(value: unknown): string {
  return Array.isArray(value)
    ? 'an array'
    : value === null
      ? 'null'
      : typeof value;
}

/**
 * Reads an RFC 5322 display name: atoms (with `.` and non-ASCII allowed) and
 * quoted strings separated by blanks. Returns it unquoted, blanks collapsed.
 */
function parsePhrase(
  phrase: string,
  invalid: (reason: string) => Error,
): string {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < phrase.length; i++) {
    const c = phrase[i];
    if (c === ' ' || c === '\t') {
      if (word) words.push(word);
      word = '';
    } else if (c === '"') {
      const end = closingQuote(phrase, i);
      if (end < 0) throw invalid('unterminated quoted string');
      word += unquote(phrase.slice(i, end + 1));
      i = end;
    } else if (PHRASE_CHAR.test(c)) {
      word += c;
    } else {
      throw invalid(
        c === ','
          ? 'must be a single address'
          : `${JSON.stringify(c)} is not allowed in a display name; quote the name`,
      );
    }
  }
  if (word) words.push(word);
  return words.join(' ');
}

/** Index of `char` at or after `from`, skipping quoted strings; -1 if absent. */
function indexOutsideQuotes(text: string, char: string, from = 0): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '"') {
      const end = closingQuote(text, i);
      if (end < 0) return -1;
      i = end;
    } else if (text[i] === char) {
      return i;
    }
  }
  return -1;
}
