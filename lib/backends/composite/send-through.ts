import type {
  DetailedSendOptions,
  ValidatedMessage,
} from '../../delivery/detailed-send.js';
import type { SendResult } from '../../delivery/message-outcome.js';
import { failedOutcome, type SmtpError } from '../../delivery/outcomes.js';
import { BadHeaderError } from '../../errors/bad-header.error.js';
import { ImproperlyConfiguredError } from '../../errors/improperly-configured.error.js';
import { MessageEncodingError } from '../../errors/message-encoding.error.js';
import { SendError } from '../../errors/send.error.js';
import type { EmailMessage } from '../../message/email-message.js';
import type { BaseEmailBackend } from '../base.backend.js';

/**
 * Errors that say the message or the setup is wrong, not the mailer: another
 * mailer would fail the same way, so they are re-thrown, never failed over.
 * (`InvalidAddressError` is a `BadHeaderError`.)
 */
export function isValidationError(err: unknown): boolean {
  return (
    err instanceof BadHeaderError ||
    err instanceof MessageEncodingError ||
    err instanceof ImproperlyConfiguredError ||
    err instanceof TypeError
  );
}

/**
 * Sends `messages` (all with recipients) through one member mailer and says
 * what happened to each, never throwing for a delivery failure: a
 * `SendError` gives its outcomes; any other error thrown by a backend
 * without detailed results fails every message of the batch, `transient`
 * unless it carries a 5xx SMTP reply.
 * @internal
 */
export async function sendThrough(
  member: BaseEmailBackend,
  messages: EmailMessage[],
  validated: ValidatedMessage[],
  options: DetailedSendOptions,
): Promise<SendResult> {
  try {
    return await member.sendMessagesDetailed(messages, options);
  } catch (err) {
    if (err instanceof SendError)
      return { sent: err.sent, outcomes: err.outcomes };
    if (isValidationError(err) || !(err instanceof Error)) throw err;
    const outcomes = messages.map((message, index) =>
      failedOutcome(
        { index, message, ...validated[index] },
        err as SmtpError,
        false,
      ),
    );
    return { sent: 0, outcomes };
  }
}
