import type { EmailMessage } from '../message/email-message.js';
import type { Envelope } from '../message/mime-message.js';

/**
 * Why a message (or one recipient) did not get through, and so what a retry
 * would do:
 *
 * - `'permanent'`: the server refused it with a 5xx reply (not 503). Sending
 *   the same message again gets the same answer.
 * - `'transient'`: a 4xx reply, or the message never reached the end of its
 *   data (connection refused, dropped or timed out before the final `.`, TLS or
 *   login failed). The server does not have it; sending it again, later or
 *   elsewhere, is safe.
 * - `'ambiguous'`: the connection was lost, or timed out, after the whole
 *   message including the final `.` was written and before the server
 *   answered. The server may have stored it and may deliver it; sending it
 *   again may deliver it twice (RFC 1047).
 */
export type DeliveryClassification = 'permanent' | 'transient' | 'ambiguous';

/**
 * What happened to one message of a send:
 *
 * - `'sent'`: the server accepted the data (2xx after the final `.`). Counted
 *   in the Django-style return value, even when some recipients were refused.
 * - `'failed'`: the server refused the message, or the connection failed
 *   before its data was complete. Not delivered.
 * - `'unknown'`: sent, but no answer came (see `'ambiguous'`).
 * - `'not-attempted'`: never started, because no connection could be made.
 * - `'skipped'`: the message has no recipients, so nothing was done (Django
 *   does not count it either).
 * - `'duplicate'`: a queued mailer already holds a job for this Message-ID,
 *   so nothing was queued and it is not counted; `duplicateOf` says that
 *   job's state. Give the message a new Message-ID to send it again.
 */
export type MessageStatus =
  'sent' | 'failed' | 'unknown' | 'not-attempted' | 'skipped' | 'duplicate';

/** A recipient the server did not take, with its reply. */
export interface RejectedRecipient {
  /** The envelope address (IDN domains in their `xn--` form). */
  address: string;
  /** The SMTP reply code, e.g. `550`; `undefined` when no reply came. */
  responseCode: number | undefined;
  /** The server's full reply line, e.g. `'550 5.1.1 No such user'`. */
  response: string | undefined;
  /** `'permanent'` for 5xx (except 503), otherwise `'transient'`. */
  classification: 'permanent' | 'transient';
}

/**
 * The result of one message of a send. Read `status` for what happened and
 * `classification` for what a retry would do.
 *
 * @example
 * const { outcomes } = await mail.sendMassMailDetailed(items, { failSilently: true });
 * const retryLater = outcomes.filter((o) => o.classification === 'transient');
 * const checkByHand = outcomes.filter((o) => o.classification === 'ambiguous');
 */
export interface MessageOutcome {
  /** Position of the message among those given to the send, from 0. */
  index: number;
  /** The message itself, as given (for a later retry or failover). */
  message: EmailMessage;
  /** Its `Message-ID` header; kept across resends of the same object. */
  messageId: string | undefined;
  /** MAIL FROM and RCPT TO as sent; `to` is empty for a skipped message. */
  envelope: Envelope;
  /** What happened; see {@link MessageStatus}. */
  status: MessageStatus;
  /** `true` exactly when `status` is `'sent'`. */
  sent: boolean;
  /**
   * `null` for `'sent'`, `'skipped'` and `'duplicate'`; `'ambiguous'` for `'unknown'`;
   * otherwise `'permanent'` or `'transient'`.
   */
  classification: DeliveryClassification | null;
  /** Recipients the server accepted for a sent message (empty otherwise). */
  accepted: string[];
  /**
   * Recipients that did not get the message, with the server's reply: for a
   * sent message the ones refused at RCPT TO; for a failed message every
   * recipient (with the RCPT reply where it refused that one, else the reply
   * that failed the message). Empty when `status` is `'unknown'`,
   * `'not-attempted'` or `'skipped'`.
   */
  rejected: RejectedRecipient[];
  /** The server's final reply to a sent message, e.g. `'250 2.0.0 Ok: queued as 4F2'`. */
  response?: string;
  /** The error that stopped the message (connection, TLS, AUTH or SMTP reply). */
  error?: Error;
  /**
   * For a `'duplicate'`: the queued job that already carries this
   * Message-ID, and its BullMQ state when the send looked (`'waiting'`,
   * `'active'`, `'delayed'`, `'completed'`, ...).
   */
  duplicateOf?: { jobId: string; state: string };
}

/**
 * The detailed result of a send: the Django-style count plus one
 * {@link MessageOutcome} per message given, in order.
 */
export interface SendResult {
  /** How many messages were sent (what `sendMessages` returns). */
  sent: number;
  /** One entry per message given, in the order given. */
  outcomes: MessageOutcome[];
}
