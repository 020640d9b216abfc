import type { BaseEmailBackend } from '../backends/base.backend.js';
import type { EmailMessage } from '../message/email-message.js';
import type { MessageOutcome, SendResult } from './message-outcome.js';
import { skippedOutcome } from './outcomes.js';

/** Options of `sendMessagesDetailed`. */
export interface DetailedSendOptions {
  /**
   * Open the connection if it is closed, and leave it open afterwards (what
   * the module's shared mailers do; the module closes them on shutdown).
   * Without it, a send on a closed backend opens and closes its own
   * connection, as in Django.
   * @default false
   */
  keepOpen?: boolean;
}

/** A backend that reports per-message outcomes (the SMTP backend does). */
export interface DetailedEmailBackend extends BaseEmailBackend {
  /** Sends like `sendMessages`, and says what happened to each message. */
  sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
    options?: DetailedSendOptions,
  ): Promise<SendResult>;
}

/** Whether `backend` reports per-message outcomes itself. */
export function hasDetailedResults(
  backend: BaseEmailBackend,
): backend is DetailedEmailBackend {
  return (
    typeof (backend as Partial<DetailedEmailBackend>).sendMessagesDetailed ===
    'function'
  );
}

/**
 * Outcomes for a backend that only returns a count (console, file, locmem,
 * dummy, custom ones): every message with recipients is `'sent'` when the
 * count says all were, otherwise `'unknown'` (the backend did not say which).
 */
export function outcomesFromCount(
  messages: EmailMessage[],
  count: number,
  backend: BaseEmailBackend,
): SendResult {
  const withRecipients = messages.filter((m) => m.recipients().length).length;
  const all = count >= withRecipients;
  const outcomes = messages.map((message, index): MessageOutcome => {
    if (!message.recipients().length) return skippedOutcome(index, message);
    const mime = message.message(backend.messageSettings);
    return {
      index,
      message,
      messageId: mime.get('Message-ID'),
      envelope: mime.envelope,
      status: all ? 'sent' : 'unknown',
      sent: all,
      classification: all ? null : 'ambiguous',
      accepted: all ? [...mime.envelope.to] : [],
      rejected: [],
    };
  });
  return { sent: count, outcomes };
}
