import { Injectable } from '@nestjs/common';
import type { EmailMessage } from '../message/email-message.js';

/**
 * The messages "sent" through the in-memory backend, Django's `mail.outbox`.
 *
 * The Nest module provides one per application, so two apps in one process
 * never see each other's mail. A {@link LocmemEmailBackend} created with
 * `new` outside Nest writes to {@link MailOutbox.default} instead.
 *
 * @example
 * const outbox = app.get(MailOutbox);
 * await mail.sendMail('Hi', 'Body', null, ['to@example.com']);
 * expect(outbox.messages[0].subject).toBe('Hi');
 * outbox.clear();
 */
@Injectable()
export class MailOutbox {
  /**
   * The process-wide outbox used by in-memory backends that were created
   * without one (outside Nest), like Django's module-level `mail.outbox`.
   * Clear it between tests.
   */
  static readonly default = new MailOutbox();

  /**
   * Copies of the messages sent, oldest first. Each copy has `sentUsing` set
   * to the alias of the mailer that sent it, and `fromEmail` filled with the
   * default sender when the original left it empty.
   */
  readonly messages: EmailMessage[] = [];

  /** Empties the outbox in place, so references to `messages` stay valid. */
  clear(): void {
    this.messages.length = 0;
  }

  /** Appends a message; called by the in-memory backend. */
  record(message: EmailMessage): void {
    this.messages.push(message);
  }
}
