/**
 * Thrown by a queued mailer when a message, serialised with its attachments,
 * is larger than the mailer's `maxMessageBytes`. Nothing was queued.
 */
export class QueuedMessageTooLargeError extends Error {
  constructor(
    /** Size of the serialised job, in bytes. */
    readonly size: number,
    /** The limit it exceeded, in bytes. */
    readonly limit: number,
    alias: string | null,
  ) {
    super(
      `The message is ${mb(size)} once serialised for the queue (attachments as base64); ` +
        `the limit is ${mb(limit)}. Send large files as links, or raise maxMessageBytes ` +
        `of ${alias === null ? 'the queued mailer' : `mailer '${alias}'`} (Redis keeps every job in memory).`,
    );
    this.name = new.target.name;
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
