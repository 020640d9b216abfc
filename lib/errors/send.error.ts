import type {
  MessageOutcome,
  SendResult,
} from '../delivery/message-outcome.js';
import type { SmtpError } from '../delivery/outcomes.js';

const SHOWN = 3;

function describe(outcome: MessageOutcome): string {
  const which = `message ${outcome.index + 1}`;
  const why = outcome.error?.message ?? 'no reason given';
  switch (outcome.status) {
    case 'unknown':
      return (
        `${which} may have been delivered (ambiguous: the connection was lost after its final "." ` +
        `and before the server answered; do not resend it blindly): ${why}`
      );
    case 'duplicate':
      return `${which} was already queued (job ${outcome.duplicateOf?.state ?? 'state unknown'})`;
    case 'not-attempted':
      return `${which} was not attempted (no connection): ${why}`;
    default:
      return `${which} was not sent (${outcome.classification}): ${why}`;
  }
}

/**
 * Thrown by a send (unless `failSilently`) when at least one message did not
 * go out. Every message given has an entry in `outcomes`, so the caller can
 * tell which were sent, which failed (`permanent` / `transient`) and which
 * may have been delivered although the connection was lost (`ambiguous`).
 * Addresses are not repeated in the message text (it ends up in logs; Bcc
 * recipients must not).
 *
 * `code`, `responseCode`, `response` and `command` repeat those of the first
 * failure (nodemailer's `EENVELOPE`, `EMESSAGE`, `ECONNECTION`, `ETIMEDOUT`,
 * `ETLS`, `EAUTH`, ...), which is also the `cause`.
 *
 * @example
 * try {
 *   await mail.sendMassMail(items);
 * } catch (err) {
 *   if (!(err instanceof SendError)) throw err;
 *   const retry = err.outcomes.filter((o) => o.classification === 'transient');
 * }
 */
export class SendError extends Error {
  /** One entry per message given, in order. */
  readonly outcomes: MessageOutcome[];
  /** How many messages were sent anyway. */
  readonly sent: number;
  /** nodemailer's error code of the first failure, e.g. `'EENVELOPE'`. */
  readonly code?: string;
  /** SMTP reply code of the first failure, e.g. `550`. */
  readonly responseCode?: number;
  /** Server reply of the first failure. */
  readonly response?: string;
  /** SMTP command of the first failure, e.g. `'RCPT TO'`. */
  readonly command?: string;

  constructor(result: SendResult) {
    const problems = result.outcomes.filter(
      (o) => !o.sent && o.status !== 'skipped',
    );
    const attempted = result.outcomes.filter((o) => o.status !== 'skipped');
    const more = problems.length - SHOWN;
    const first = problems[0]?.error as SmtpError | undefined;
    super(
      `${result.sent} of ${attempted.length} message(s) sent; ` +
        problems.slice(0, SHOWN).map(describe).join('; ') +
        (more > 0 ? `; and ${more} more` : '') +
        '. See error.outcomes for every message.',
      { cause: first },
    );
    this.name = new.target.name;
    this.outcomes = result.outcomes;
    this.sent = result.sent;
    this.code = first?.code;
    this.responseCode = first?.responseCode;
    this.response = first?.response;
    this.command = first?.command;
  }
}
