import { BadHeaderError } from '../errors/bad-header.error.js';
import { forbidNewlines } from './address.js';
import type { ContentParams } from './mime-builder.js';

/** A parsed mimetype: `type/subtype` lower-case, parameters in order, names lower-case. */
export interface ParsedMimetype {
  type: string;
  params: ContentParams;
}

// RFC 2045 §5.1: token characters.
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const TYPE =
  /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\/([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*/y;
/** Parameters the serializer sets itself. */
const OWNED = new Set(['boundary']);

/**
 * Parses and checks a mimetype with optional parameters, RFC 2045 §5.1:
 * `type/subtype; name=token; name="quoted string"`. Parameter values may be
 * any text without control characters; they are re-emitted safely (token,
 * quoted string, or RFC 2231 when long or not ASCII). Anything else, such as
 * a stray `;`, a second `/`, a duplicate or RFC 2231-style (`name*`)
 * parameter, or `boundary`, is refused.
 *
 * @param what what the mimetype is for, in error messages
 * @throws BadHeaderError when the mimetype is malformed or holds a line break.
 */
export function parseMimetype(mimetype: string, what: string): ParsedMimetype {
  if (typeof mimetype !== 'string')
    throw new TypeError(
      `${what} mimetype must be a string, got ${typeof mimetype}`,
    );
  forbidNewlines(mimetype, `${what} mimetype`);
  const invalid = (reason: string) =>
    new BadHeaderError(
      `Invalid mimetype ${JSON.stringify(mimetype)} for ${what}: ${reason}. ` +
        'Use "type/subtype" with optional parameters, e.g. "text/calendar; method=REQUEST"',
    );
  TYPE.lastIndex = 0;
  const head = TYPE.exec(mimetype);
  if (!head) throw invalid('no "type/subtype" at the start');
  const type = `${head[1]}/${head[2]}`.toLowerCase();
  const params: ContentParams = [];
  let at = TYPE.lastIndex;
  while (at < mimetype.length) {
    if (mimetype[at] !== ';')
      throw invalid(`unexpected ${JSON.stringify(mimetype[at])}`);
    at = skipSpace(mimetype, at + 1);
    if (at >= mimetype.length) break; // a trailing ";" is harmless
    const eq = mimetype.indexOf('=', at);
    if (eq < 0) throw invalid('a parameter without "="');
    const name = mimetype.slice(at, eq).trim().toLowerCase();
    if (!TOKEN.test(name) || name.includes('*'))
      throw invalid(`bad parameter name ${JSON.stringify(name)}`);
    if (OWNED.has(name))
      throw invalid(`"${name}" is set by the message itself`);
    if (params.some(([n]) => n === name))
      throw invalid(`parameter "${name}" is given twice`);
    let value: string;
    at = skipSpace(mimetype, eq + 1);
    if (mimetype[at] === '"') {
      let end = at + 1;
      value = '';
      while (end < mimetype.length && mimetype[end] !== '"') {
        if (mimetype[end] === '\\') end++;
        value += mimetype[end++] ?? '';
      }
      if (end >= mimetype.length)
        throw invalid('an unterminated quoted string');
      at = end + 1;
    } else {
      const end = nextSemicolon(mimetype, at);
      value = mimetype.slice(at, end).trim();
      if (!TOKEN.test(value))
        throw invalid(
          `parameter "${name}" needs quotes around ${JSON.stringify(value)}`,
        );
      at = end;
    }
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value))
      throw invalid(`parameter "${name}" holds a control character`);
    params.push([name, value]);
    at = skipSpace(mimetype, at);
  }
  return { type, params };
}

/** Refuses `multipart/*` where only a single part can go. */
export function refuseMultipart(type: string, what: string): void {
  if (type.startsWith('multipart/')) {
    throw new BadHeaderError(
      `${type} cannot be ${what}'s mimetype: a multipart part is made of parts. ` +
        'Attach a MimePart with an array of child MimeParts as its content instead',
    );
  }
}

function skipSpace(text: string, at: number): number {
  while (text[at] === ' ' || text[at] === '\t') at++;
  return at;
}

function nextSemicolon(text: string, at: number): number {
  const end = text.indexOf(';', at);
  return end < 0 ? text.length : end;
}
