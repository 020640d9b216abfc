/**
 * Thrown when a header would carry a line break or is otherwise unsafe to send.
 *
 * Raised by `EmailMessage.message()` (and so by every send) before anything is
 * rendered or written to a connection: a CR or LF in the subject, in any address
 * (display name or address part), in an extra header's name or value, in an
 * attachment filename or in a mimetype. nodemailer would silently rewrite such
 * values; this package refuses them, as Django does.
 *
 * @example
 * try {
 *   await mail.sendMail(subject, body, from, ['admin@example.com']);
 * } catch (err) {
 *   if (err instanceof BadHeaderError) return 'Invalid header found.';
 *   throw err;
 * }
 */
export class BadHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
