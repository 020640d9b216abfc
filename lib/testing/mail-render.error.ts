import { MailOutbox, type EmailMessage } from '../index.js';

/**
 * A message in the outbox could not be rendered as it would be delivered
 * (a bad header, an attachment that cannot be read, ...). Its message names
 * the mail and the reason; the original error is the `cause`.
 */
export class MailRenderError extends Error {
  /** The message that failed to render. */
  readonly mail: EmailMessage;

  /** @param cause the error rendering or parsing threw. */
  constructor(mail: EmailMessage, cause: unknown) {
    super(
      `Mail ${describeMessage(mail)} cannot be rendered: ${
        cause instanceof Error
          ? `${cause.name}: ${cause.message}`
          : String(cause)
      }`,
      { cause },
    );
    this.name = 'MailRenderError';
    this.mail = mail;
  }
}

/** One line that identifies a message in an error: subject, recipients, mailer. */
export function describeMessage(mail: EmailMessage): string {
  const to = Array.isArray(mail.to) ? mail.to.join(', ') : String(mail.to);
  const entry = MailOutbox.entryOf(mail);
  const using =
    entry?.mailer === undefined ? '' : ` (sent using '${entry.mailer}')`;
  return `${JSON.stringify(mail.subject)} to ${to || '(nobody)'}${using}`;
}
