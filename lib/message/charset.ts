import { MessageEncodingError } from '../errors/message-encoding.error.js';

const CHARSETS: Record<
  string,
  { canonical: string; fits: RegExp; buffer: BufferEncoding }
> = {
  'utf-8': { canonical: 'utf-8', fits: /^/, buffer: 'utf8' },
  'us-ascii': {
    canonical: 'us-ascii',
    fits: /^[\x00-\x7f]*$/,
    buffer: 'latin1',
  },
  'iso-8859-1': {
    canonical: 'iso-8859-1',
    fits: /^[\x00-\xff]*$/,
    buffer: 'latin1',
  },
};
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  ascii: 'us-ascii',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
};

/** Names the charset as it goes into `Content-Type`, or throws when it is unsupported. */
export function canonicalCharset(charset: string): string {
  const key = charset.trim().toLowerCase();
  const found = CHARSETS[ALIASES[key] ?? key];
  if (!found) {
    throw new MessageEncodingError(
      `Unsupported charset ${JSON.stringify(charset)}: use one of ${Object.keys(CHARSETS).join(', ')}`,
    );
  }
  return found.canonical;
}

/** Encodes text in a supported charset, refusing characters the charset cannot hold. */
export function encodeText(text: string, charset: string): Buffer {
  const { canonical, fits, buffer } = CHARSETS[canonicalCharset(charset)];
  if (!fits.test(text)) {
    throw new MessageEncodingError(
      `Text contains characters that ${canonical} cannot encode; use utf-8`,
    );
  }
  return Buffer.from(text, buffer);
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
