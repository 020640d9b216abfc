/** Alias of the default mailer, the one provided under the `BaseEmailBackend` token. */
export const DEFAULT_MAILER = 'default';

/** Prefix of the DI tokens of named mailers; see `getMailerToken`. */
export const MAILER_TOKEN_PREFIX = 'nestjs-mail:mailer:';

/** @internal Token of the resolved, checked module settings. */
export const MAIL_SETTINGS = Symbol('MAIL_SETTINGS');
