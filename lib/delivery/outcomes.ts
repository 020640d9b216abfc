import type { EmailMessage } from '../message/email-message.js';
import type { Envelope } from '../message/mime-message.js';
import type {
  DeliveryClassification,
  MessageOutcome,
  RejectedRecipient,
} from './message-outcome.js';

/** The properties nodemailer puts on its errors and send results. */
export type SmtpError = Error & {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  recipient?: string;
  rejectedErrors?: SmtpError[];
};

/** nodemailer's result of one accepted message (an SMTP connection's, or any transport's). */
export interface SmtpInfo {
  accepted?: string[];
  /** Refused addresses; with `rejectedErrors` (SMTP) each has its reply there. */
  rejected?: unknown[];
  rejectedErrors?: SmtpError[];
  response?: string;
  /** The Message-ID a transport gave the message (SES's, for example). */
  messageId?: string;
}

/** What every outcome of one message shares. */
export interface OutcomeBase {
  index: number;
  message: EmailMessage;
  messageId: string | undefined;
  envelope: Envelope;
}

/** RFC 5321: 5yz is permanent, except 503 (bad sequence: the session, not the message). */
export function classifyReply(code: number): 'permanent' | 'transient' {
  return code >= 500 && code < 600 && code !== 503 ? 'permanent' : 'transient';
}

/**
 * Classifies a failed message. A reply from the server decides by its code;
 * without one, the message is `ambiguous` once its data (and so the final
 * `.`) was handed to the connection, and `transient` before that.
 */
export function classifyFailure(
  err: SmtpError,
  dataEnded: boolean,
): DeliveryClassification {
  if (typeof err.responseCode === 'number' && err.responseCode >= 400) {
    return classifyReply(err.responseCode);
  }
  if (dataEnded) return 'ambiguous';
  // nodemailer's own SIZE check: this server will never take the message.
  if (err.code === 'EMESSAGE') return 'permanent';
  return 'transient';
}

function rejection(address: string, err: SmtpError): RejectedRecipient {
  const code =
    typeof err.responseCode === 'number' ? err.responseCode : undefined;
  return {
    address,
    responseCode: code,
    response: err.response,
    classification: code === undefined ? 'transient' : classifyReply(code),
  };
}

/**
 * The recipients refused of an accepted message: from `rejectedErrors` with
 * their replies when there are any, otherwise the bare `rejected` addresses
 * (a transport that does not say why: `'transient'`).
 */
function refused(info: SmtpInfo): RejectedRecipient[] {
  if (info.rejectedErrors?.length) return refusedAtRcpt(info.rejectedErrors);
  return (info.rejected ?? []).map((address) =>
    rejection(String(address), {} as SmtpError),
  );
}

function refusedAtRcpt(errors: SmtpError[] = []): RejectedRecipient[] {
  return errors.map((err) => rejection(err.recipient ?? '', err));
}

/** A message without recipients: nothing was done. */
export function skippedOutcome(
  index: number,
  message: EmailMessage,
): MessageOutcome {
  return {
    index,
    message,
    messageId: undefined,
    envelope: { from: '', to: [] },
    status: 'skipped',
    sent: false,
    classification: null,
    accepted: [],
    rejected: [],
  };
}

/** The server (or transport) took the message; a Message-ID in `info` wins over the message's own. */
export function sentOutcome(base: OutcomeBase, info: SmtpInfo): MessageOutcome {
  // Fields copied one by one here and below: V8 builds `{ ...base, more }`
  // on a slow path, some microseconds an outcome, noticeable in a bulk send.
  return {
    index: base.index,
    message: base.message,
    messageId: info.messageId || base.messageId,
    envelope: base.envelope,
    status: 'sent',
    sent: true,
    classification: null,
    accepted: [...(info.accepted ?? base.envelope.to)],
    rejected: refused(info),
    response: info.response,
  };
}

/** The message failed; `dataEnded` says whether its final `.` was handed over. */
export function failedOutcome(
  base: OutcomeBase,
  err: SmtpError,
  dataEnded: boolean,
): MessageOutcome {
  const classification = classifyFailure(err, dataEnded);
  if (classification === 'ambiguous') {
    return {
      index: base.index,
      message: base.message,
      messageId: base.messageId,
      envelope: base.envelope,
      status: 'unknown',
      sent: false,
      classification,
      accepted: [],
      rejected: [],
      error: err,
    };
  }
  const atRcpt = new Map(
    refusedAtRcpt(err.rejectedErrors).map((r) => [r.address, r]),
  );
  return {
    index: base.index,
    message: base.message,
    messageId: base.messageId,
    envelope: base.envelope,
    status: 'failed',
    sent: false,
    classification,
    accepted: [],
    rejected: base.envelope.to.map(
      (address) => atRcpt.get(address) ?? rejection(address, err),
    ),
    error: err,
  };
}

/** No connection could be made for the message; nothing of it reached a server. */
export function notAttemptedOutcome(
  base: OutcomeBase,
  err: Error,
): MessageOutcome {
  return {
    index: base.index,
    message: base.message,
    messageId: base.messageId,
    envelope: base.envelope,
    status: 'not-attempted',
    sent: false,
    classification: 'transient',
    accepted: [],
    rejected: [],
    error: err,
  };
}
