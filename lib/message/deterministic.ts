import { createHash, type Hash } from 'node:crypto';
import type { Part, RootHeader } from './mime-builder.js';

/**
 * Options of deterministic rendering (`MessageSettings.deterministic`), for
 * snapshot tests: the same message renders to the same bytes on every run
 * and every machine.
 */
export interface DeterministicRendering {
  /**
   * Value of the generated `Date` header, always rendered in UTC.
   * @default new Date(0) // Thu, 01 Jan 1970 00:00:00 +0000
   */
  date?: Date;
  /**
   * Domain of the generated `Message-ID`.
   * @default 'nestjs-mail.invalid'
   */
  domain?: string;
}

/** What a deterministic render uses in place of the clock and the random generator. */
export interface FixedRendering {
  date: Date;
  /** Makes the Message-ID and the multipart boundary from the message's content. */
  identify(
    headers: RootHeader[],
    top: Part,
    depth: number,
  ): { messageId: string; baseBoundary: string };
}

/** Resolves `MessageSettings.deterministic`; `undefined` when it is off. */
export function fixedRendering(
  option: boolean | DeterministicRendering | undefined,
): FixedRendering | undefined {
  if (!option) return undefined;
  const { date = new Date(0), domain = 'nestjs-mail.invalid' } =
    option === true ? {} : option;
  return {
    date,
    identify(headers, top, depth) {
      const hash = createHash('sha256').update(`depth ${depth}\n`);
      for (const [name, value] of headers)
        hash.update(`${name}: ${JSON.stringify(value)}\n`);
      hashPart(hash, top);
      const digest = hash.digest('hex');
      return {
        messageId: `<${digest.slice(0, 32)}@${domain}>`,
        // Differs between a message and one attached to it (depth), so nested boundaries never collide.
        baseBoundary: digest.slice(32, 48),
      };
    },
  };
}

function hashPart(hash: Hash, part: Part): void {
  hash.update(`[${part.type} ${JSON.stringify(part.params)}\n`);
  if ('parts' in part) {
    for (const child of part.parts) hashPart(hash, child);
  } else {
    hash.update(
      `${part.transferEncoding} ${part.disposition ?? ''} ${JSON.stringify(part.filename ?? null)} ${part.contentId ?? ''} ${JSON.stringify(part.headers ?? [])}\n`,
    );
    // A streamed part (a file) is known by its type and name only, a nested message by its headers.
    if (Buffer.isBuffer(part.content)) hash.update(part.content);
    else if (typeof part.content === 'object')
      hash.update(part.content.get('Message-ID') ?? '');
  }
  hash.update(']\n');
}
