import {
  MAX_MIME_DEPTH,
  MimeNestingError,
} from '../errors/mime-nesting.error.js';

/** Levels of nesting open in the `message()` call running now (rendering is synchronous). */
let depth = 0;

/**
 * Runs `build` one nesting level deeper, refusing to go past
 * {@link MAX_MIME_DEPTH}.
 *
 * @param what what is nested, for the error message
 */
export function nested<T>(what: string, build: () => T): T {
  if (depth >= MAX_MIME_DEPTH) {
    throw new MimeNestingError(
      `${what} is nested more than ${MAX_MIME_DEPTH} levels deep ` +
        '(attached messages and MimePart children count together); flatten the message',
    );
  }
  depth++;
  try {
    return build();
  } finally {
    depth--;
  }
}
