import { ImproperlyConfiguredError } from './improperly-configured.error.js';

/** Thrown when `using` (or `@InjectMailer`) names a mailer the module does not configure. */
export class MailerDoesNotExistError extends ImproperlyConfiguredError {
  constructor(
    /** The alias that was asked for. */
    readonly alias: string,
    known: string[],
  ) {
    super(
      `The mailer '${alias}' is not configured. Add it to MailModule's "mailers" option` +
        ` (configured: ${known.map((k) => `'${k}'`).join(', ') || 'none'}).`,
    );
  }
}
