/**
 * Thrown by `EmailMessage.message()` when messages and MIME parts nest deeper
 * than {@link MAX_MIME_DEPTH} levels (a message attached inside a message
 * inside a message…, or `MimePart` children inside children). Real mail
 * nests a few levels; a deeper tree is a bug or hostile input, refused before
 * anything is rendered instead of running out of stack.
 */
export class MimeNestingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The most levels of nesting one message may have: each attached message
 * (`message/rfc822`) and each `MimePart` holding child parts counts as one.
 */
export const MAX_MIME_DEPTH = 64;
