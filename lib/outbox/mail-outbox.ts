import { Injectable } from '@nestjs/common';
import type { EmailAlternative } from '../message/attachment.js';
import type { EmailMessage } from '../message/email-message.js';
import { capturesOf, runCapture, type MailCapture } from './mail-capture.js';
import {
  OUTBOX_ENTRY,
  type OutboxEntry,
  type OutboxRecord,
} from './outbox-entry.js';

/**
 * The messages "sent" through the in-memory backend, Django's `mail.outbox`,
 * with an {@link OutboxEntry} for each: the mailer alias, status, time, and
 * the bytes as rendered.
 *
 * The Nest module provides one per application, so two apps in one process
 * never see each other's mail. A {@link LocmemEmailBackend} created with
 * `new` outside Nest writes to {@link MailOutbox.default} instead.
 *
 * @example
 * const outbox = app.get(MailOutbox);
 * await mail.sendMail('Hi', 'Body', null, ['to@example.com']);
 * expect(outbox.messages[0].subject).toBe('Hi');
 * expect(outbox.entries[0].mailer).toBe('default');
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
   * Copies of the messages sent, oldest first, with `fromEmail` filled with
   * the default sender when the original left it empty.
   */
  readonly messages: EmailMessage[] = [];

  /** One entry per message of {@link MailOutbox.messages}, in the same order. */
  readonly entries: OutboxEntry[] = [];

  /** The entry of a message recorded in any outbox, or `undefined`. */
  static entryOf(message: EmailMessage): OutboxEntry | undefined {
    return (message as { [OUTBOX_ENTRY]?: OutboxEntry })[OUTBOX_ENTRY];
  }

  /** Empties the outbox in place, so references to `messages` and `entries` stay valid. */
  clear(): void {
    this.messages.length = 0;
    this.entries.length = 0;
  }

  /**
   * Appends an entry, and its message to every {@link MailOutbox.capture}
   * block the caller runs in; called by mailers that write here (the
   * in-memory backend, a queued mailer in front of one).
   *
   * A `'sent'` or `'failed'` record whose Message-ID matches an entry still
   * `'queued'` completes that entry instead of adding one: one outbox shows
   * a queued message, then its delivery.
   *
   * @returns the entry recorded or completed.
   */
  record(record: OutboxRecord): OutboxEntry {
    const status = record.status ?? 'sent';
    const sentAt = record.sentAt ?? new Date();
    const queued =
      status !== 'queued' && record.messageId !== undefined
        ? this.entries.find(
            (e) => e.status === 'queued' && e.messageId === record.messageId,
          )
        : undefined;
    if (queued) {
      queued.status = status;
      queued.sentAt = sentAt;
      queued.raw = record.raw ?? queued.raw;
      queued.envelope = record.envelope ?? queued.envelope;
      return queued;
    }
    const alternatives = alternativesOf(record.message);
    const entry: OutboxEntry = {
      ...record,
      alternatives,
      html: htmlOf(record.message, alternatives),
      settings: record.settings ?? {},
      status,
      sentAt,
    };
    Object.defineProperty(record.message, OUTBOX_ENTRY, { value: entry });
    this.entries.push(entry);
    this.messages.push(record.message);
    for (const captured of capturesOf(this)) captured.push(record.message);
    return entry;
  }

  /** The entry recorded with this Message-ID, if any. */
  findByMessageId(messageId: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.messageId === messageId);
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

function alternativesOf(message: EmailMessage): readonly EmailAlternative[] {
  const given = (message as { alternatives?: unknown }).alternatives;
  return Array.isArray(given) ? (given as EmailAlternative[]) : [];
}

function htmlOf(
  message: EmailMessage,
  alternatives: readonly EmailAlternative[],
): string | undefined {
  const html = alternatives.find((a) => /^text\/html\b/i.test(a.mimetype));
  if (html) return html.content.toString();
  return message.contentSubtype === 'html' ? message.body : undefined;
}
