import type { MessageSettings } from '../message/message-settings.js';
import type { MailOutbox } from '../outbox/mail-outbox.js';

/**
 * What a mailer learns from the application that creates it, passed as the
 * second constructor argument by `MailModule` (and by `getConnection()`).
 * A backend created with `new` outside Nest has none: no alias, Django's
 * default message settings, and in-memory backends write to
 * `MailOutbox.default`.
 */
export interface MailerContext {
  /** The mailer's alias (`'default'` or a key of `mailers`); `null` for `getConnection()`. */
  readonly alias: string | null;
  /** The settings messages are rendered with (default sender, charset, redirect...). */
  readonly messageSettings: Readonly<Partial<MessageSettings>>;
  /** The application's outbox, for backends that record what they send. */
  readonly outbox?: MailOutbox;
}
