import type { EmailMessage } from '../message/email-message.js';
import type { MessageSettings } from '../message/message-settings.js';
import { SendError } from '../errors/send.error.js';
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
  /**
   * Called for each message (by its index among those given) once its whole
   * data was written and before the final `.` that ends it: the `.` waits
   * for the returned promise. A rejection aborts that message before its end
   * (the connection is dropped, so the server never takes it: `'transient'`).
   * The queue worker records "data going out" on the job here. Backends
   * without a DATA phase (console, file, locmem, ...) do not call it.
   * @default undefined
   */
  beforeDataEnd?(index: number): Promise<void> | void;
}

/** What an outcome records of a validated message. */
export type ValidatedMessage = Pick<MessageOutcome, 'messageId' | 'envelope'>;

/**
 * Validates every message with recipients before anything is sent (a bad
 * header throws here and sends nothing of the batch), keeping what an outcome
 * needs: the Message-ID and the envelope.
 * @internal
 */
export function validateAll(
  messages: EmailMessage[],
  settings: Partial<MessageSettings>,
): Array<ValidatedMessage | null> {
  return messages.map((message) => {
    if (!message.recipients().length) return null;
    const mime = message.message(settings);
    return { messageId: mime.get('Message-ID'), envelope: mime.envelope };
  });
}

/**
 * Outcomes for a backend that only returns a count (console, file, locmem,
 * dummy, custom ones): every message with recipients is `'sent'` when the
 * count says all were, otherwise `'unknown'` (the backend did not say which).
 * @internal
 */
export function outcomesFromCount(
  messages: EmailMessage[],
  validated: ReturnType<typeof validateAll>,
  count: number,
): SendResult {
  const all = count >= validated.filter(Boolean).length;
  const outcomes = messages.map((message, index): MessageOutcome => {
    const known = validated[index];
    if (!known) return skippedOutcome(index, message);
    return {
      index,
      message,
      messageId: known.messageId,
      envelope: known.envelope,
      status: all ? 'sent' : 'unknown',
      sent: all,
      classification: all ? null : 'ambiguous',
      accepted: all ? [...known.envelope.to] : [],
      rejected: [],
    };
  });
  return { sent: count, outcomes };
}

/**
 * The end of every detailed send, for backends that override
 * `sendMessagesDetailed`: counts what was sent and, unless `failSilently`,
 * throws a {@link SendError} listing every outcome when a message with
 * recipients did not go out (`'skipped'` and `'duplicate'` are not failures).
 *
 * @example return settle(outcomes, this.failSilently);
 */
export function settle(
  outcomes: MessageOutcome[],
  failSilently: boolean,
): SendResult {
  const result = { sent: outcomes.filter((o) => o.sent).length, outcomes };
  const failed = (o: MessageOutcome) =>
    !o.sent && o.status !== 'skipped' && o.status !== 'duplicate';
  if (!failSilently && outcomes.some(failed)) throw new SendError(result);
  return result;
}
