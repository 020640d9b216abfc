import type { ParsedMail } from 'mailparser';

/** One RFC 2047 encoded-word: `=?charset?B|Q?text?=` (RFC 2231 language suffix allowed). */
const ENCODED_WORD = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([bq])\?([^?\s]*)\?=/gi;

/**
 * A header's value as the message carries it, unfolded and with RFC 2047
 * encoded-words decoded, but otherwise untouched: `"Site Admin"
 * <admin@example.com>` keeps its quotes, `Shop <shop@example.com>` gets
 * none. Several headers of that name are joined with `, `; `undefined` when
 * there is none.
 */
export function headerText(
  parsed: ParsedMail,
  name: string,
): string | undefined {
  const lines = parsed.headerLines.filter(
    (header) => header.key === name.toLowerCase(),
  );
  if (!lines.length) return undefined;
  return lines
    .map(({ line }) =>
      decodeWords(
        line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]/g, ' '),
      ).trim(),
    )
    .join(', ');
}

/** Encoded-words separated by nothing but whitespace, which is dropped (RFC 2047 §6.2). */
const RUN = new RegExp(
  `${ENCODED_WORD.source}(?:\\s*${ENCODED_WORD.source})*`,
  'gi',
);

/**
 * Decodes RFC 2047 encoded-words. The bytes of adjacent words in one charset
 * are decoded together, so a character split across two words survives; a
 * charset Node does not know leaves the words as they were.
 */
export function decodeWords(value: string): string {
  return value.replace(RUN, (run) => {
    const chunks: { charset: string; bytes: Buffer[] }[] = [];
    for (const [, charset, encoding, text] of run.matchAll(ENCODED_WORD)) {
      const last = chunks.at(-1);
      const bytes = wordBytes(encoding, text);
      if (last?.charset === charset.toLowerCase()) last.bytes.push(bytes);
      else chunks.push({ charset: charset.toLowerCase(), bytes: [bytes] });
    }
    try {
      return chunks
        .map(({ charset, bytes }) =>
          new TextDecoder(charset).decode(Buffer.concat(bytes)),
        )
        .join('');
    } catch {
      return run;
    }
  });
}

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toLowerCase() === 'b') return Buffer.from(text, 'base64');
  return Buffer.from(
    text
      .replace(/_/g, ' ')
      .replace(/=([0-9a-f]{2})/gi, (_, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      ),
    'latin1',
  );
}
