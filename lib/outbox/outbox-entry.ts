import type { EmailAlternative } from '../message/attachment.js';
import type { EmailMessage } from '../message/email-message.js';
import type { MessageSettings } from '../message/message-settings.js';
import type { Envelope } from '../message/mime-message.js';

/**
 * Where an outbox entry stands: `'queued'` while a queued mailer holds it,
 * `'sent'` once an in-memory mailer took it, `'failed'` when a delivery of a
 * queued entry failed for good.
 */
export type OutboxStatus = 'queued' | 'sent' | 'failed';

/** One message recorded in a {@link MailOutbox}, with what the mailer knew. */
export interface OutboxEntry {
  /** A copy of the message as sent (changing the original later does not change it). */
  readonly message: EmailMessage;
  /**
   * The message's alternatives (`EmailMultiAlternatives`), typed, so a test
   * reads them without a cast; empty for a plain `EmailMessage`.
   */
  readonly alternatives: readonly EmailAlternative[];
  /**
   * The HTML a recipient sees: the first `text/html` alternative, or the body
   * of a message whose `contentSubtype` is `'html'`; `undefined` otherwise.
   *
   * @example expect(outbox.entries[0].html).toContain('href="https://example.com/verify');
   */
  readonly html: string | undefined;
  /**
   * Alias of the mailer that recorded it (`'default'` or a named one);
   * `null` for a connection from `getConnection()`; `undefined` for an
   * entry recorded by hand.
   */
  readonly mailer?: string | null;
  /** See {@link OutboxStatus}. */
  status: OutboxStatus;
  /** When it was recorded, or when a queued entry was delivered. */
  sentAt: Date;
  /** Its Message-ID, when the mailer knew it. */
  messageId?: string;
  /** The message as rendered at send time, CRLF line endings (the wire form). */
  raw?: Buffer;
  /** The SMTP envelope a real backend would have used. */
  envelope?: Envelope;
  /** The settings it was rendered with (the mailer's `messageSettings`). */
  settings: Partial<MessageSettings>;
}

/**
 * What a mailer gives {@link MailOutbox.record}: `sentAt` defaults to now,
 * `status` to `'sent'` and `settings` to none.
 */
export type OutboxRecord = Omit<
  OutboxEntry,
  'sentAt' | 'status' | 'settings' | 'alternatives' | 'html'
> &
  Partial<Pick<OutboxEntry, 'sentAt' | 'status' | 'settings'>>;

/**
 * Key of the entry on a recorded copy; the entry travels with its message, so
 * helpers given only messages (e.g. from `capture()`) can find it.
 * @internal
 */
export const OUTBOX_ENTRY = Symbol('nestjs-mail.outboxEntry');
