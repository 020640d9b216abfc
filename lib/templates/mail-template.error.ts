/**
 * A template problem found when `MailTemplatesModule` starts: a missing
 * directory, a file that does not compile, a missing partial, layout or
 * subject, an engine that is not installed. The message names the file and
 * says what to change; the application does not start.
 */
export class MailTemplateError extends Error {
  /** The file at fault, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, file?: string, options?: ErrorOptions) {
    super(file ? `${file}: ${message}` : message, options);
    this.name = 'MailTemplateError';
    this.file = file;
  }
}
