import iconv from 'iconv-lite';
import { MessageEncodingError } from '../errors/message-encoding.error.js';

/** Names written differently in `Content-Type` than people type them. */
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  ascii: 'us-ascii',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
};
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Names the charset as it goes into `Content-Type` (lower-case), or throws
 * when it is unknown. Every charset `iconv-lite` knows is supported.
 */
export function canonicalCharset(charset: string): string {
  if (typeof charset !== 'string')
    throw new MessageEncodingError(
      `The charset must be a string, got ${typeof charset}`,
    );
  if (charset === 'utf-8') return charset;
  const key = charset.trim().toLowerCase();
  const name = ALIASES[key] ?? key;
  if (!/^[a-z0-9._:-]+$/.test(name) || !iconv.encodingExists(name)) {
    throw new MessageEncodingError(
      `Unknown charset ${JSON.stringify(charset)}: use a charset name such as ` +
        'utf-8, iso-8859-1, windows-1252 or koi8-r',
    );
  }
  return name;
}

/** Encodes text in a charset, refusing characters the charset cannot hold. */
export function encodeText(text: string, charset: string): Buffer {
  const name = canonicalCharset(charset);
  if (name === 'utf-8') return Buffer.from(text, 'utf8');
  if (name === 'us-ascii' && ASCII.test(text))
    return Buffer.from(text, 'latin1');
  const bytes = iconv.encode(text, name);
  // iconv-lite writes '?' (or similar) for what the charset cannot hold: refuse that instead.
  if (name === 'us-ascii' || iconv.decode(bytes, name) !== text) {
    throw new MessageEncodingError(
      `Text contains characters that ${name} cannot encode; use utf-8`,
    );
  }
  return bytes;
}

/** Decodes bytes as strict UTF-8; `undefined` when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      bytes,
    );
  } catch {
    return undefined;
  }
}
