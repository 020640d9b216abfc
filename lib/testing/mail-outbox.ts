import { Injectable } from '@nestjs/common';
import type { EmailMessage } from '../message/email-message.js';
import type { MessageSettings } from '../message/message-settings.js';
import type { Envelope } from '../message/mime-message.js';
import { capturesOf, runCapture, type MailCapture } from './mail-capture.js';

/** What the in-memory backend knew when it stored a message. */
export interface MailDelivery {
  /** The message as it was rendered at send time, with CRLF line endings (the wire form). */
  raw?: Buffer;
  /** The SMTP envelope a real backend would have used. */
  envelope?: Envelope;
  /** The settings the message was rendered with (the backend's `messageSettings`). */
  settings: Partial<MessageSettings>;
  /**
   * `'queued'` while a queued mailer holds the message in Redis; `'sent'` once
   * a worker delivered it through an in-memory mailer of the same outbox.
   * Absent for mail sent directly (which is sent).
   */
  status?: 'queued' | 'sent';
  /** The Message-ID it was queued with; a later delivery with it marks the entry sent. */
  messageId?: string;
}

const deliveries = new WeakMap<EmailMessage, MailDelivery>();

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

  /**
   * Appends a message, and adds it to every {@link MailOutbox.capture} block
   * the caller runs in; called by the in-memory backend.
   *
   * @param delivery how it was rendered, read back by `nestjs-mail/testing`.
   *   A message that carries the Message-ID of an entry recorded as
   *   `'queued'` is not appended: that entry is marked `'sent'` instead.
   */
  record(message: EmailMessage, delivery?: MailDelivery): void {
    const queued = delivery?.status !== 'queued' && this.queuedAs(message);
    if (queued) {
      // One outbox for both: the queued entry becomes the delivered one.
      const before = deliveries.get(queued)!;
      deliveries.set(queued, { ...before, ...delivery, status: 'sent' });
      return;
    }
    if (delivery) deliveries.set(message, delivery);
    this.messages.push(message);
    for (const captured of capturesOf(this)) captured.push(message);
  }

  /** The entry still queued under the Message-ID `message` carries, if any. */
  private queuedAs(message: EmailMessage): EmailMessage | undefined {
    const header = Object.entries(message.extraHeaders ?? {}).find(
      ([name]) => name.toLowerCase() === 'message-id',
    );
    if (!header) return undefined;
    return this.messages.find((m) => {
      const d = deliveries.get(m);
      return d?.status === 'queued' && d.messageId === String(header[1]);
    });
  }

  /**
   * How a recorded message was rendered when it was sent, or `undefined` for
   * a message recorded without that information.
   */
  static deliveryOf(message: EmailMessage): MailDelivery | undefined {
    return deliveries.get(message);
  }

  /**
   * Runs `block` and returns exactly the messages recorded in this outbox by
   * code it ran, including deeper async work (promise chains, timers,
   * events) started inside it, but not mail of concurrent tests. Built on
   * `AsyncLocalStorage`, so captures can run side by side (`it.concurrent`,
   * `Promise.all`) and nest.
   *
   * An HTTP request does not carry the async context to its handler, even in
   * the same process: send `capture.headers` with it and import
   * `MailTestingModule` (from `nestjs-mail/testing`). Work that outlives the
   * block still adds to the returned array when it sends.
   *
   * @example
   * const sent = await outbox.capture(async () => {
   *   await signup.register('ana@example.com');
   * });
   * expect(sent.map((m) => m.to)).toEqual([['ana@example.com']]);
   * @example
   * const sent = await outbox.capture(({ headers }) =>
   *   fetch(`${url}/signup`, { method: 'POST', headers }),
   * );
   */
  capture(
    block: (capture: MailCapture) => unknown | Promise<unknown>,
  ): Promise<EmailMessage[]> {
    return runCapture(this, block);
  }
}
