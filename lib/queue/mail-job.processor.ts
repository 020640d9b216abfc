import type { Job } from 'bullmq';
import {
  BadHeaderError,
  SendError,
  type BaseEmailBackend,
  type SmtpError,
} from '../index.js';
import type { MessageOutcome, SendResult } from '../index.js';
import type { BullmqModule } from './load-bullmq.js';
import { deserializeMessage } from './message-codec.js';
import type { MailJobData } from './queue.backend.js';

/**
 * A {@link MessageOutcome} as a job stores it (JSON): the job's
 * `returnvalue` once delivered, `data.outcome` after a failed attempt.
 */
export type StoredOutcome = Omit<MessageOutcome, 'message' | 'error'> & {
  /** The attempt it describes, from 1. */
  attempt: number;
  error?: Pick<
    SmtpError,
    'name' | 'message' | 'code' | 'responseCode' | 'response' | 'command'
  >;
};

function stored(outcome: MessageOutcome, attempt: number): StoredOutcome {
  const { index, messageId, envelope, status, sent, classification } = outcome;
  const { accepted, rejected, response } = outcome;
  const e = outcome.error as SmtpError | undefined;
  return {
    ...{ index, messageId, envelope, status, sent, classification },
    ...{ accepted, rejected, response },
    attempt,
    ...(e && {
      error: {
        name: e.name,
        message: e.message,
        code: e.code,
        responseCode: e.responseCode,
        response: e.response,
        command: e.command,
      },
    }),
  };
}

async function send(
  target: BaseEmailBackend,
  job: Job<MailJobData>,
): Promise<SendResult> {
  const message = deserializeMessage(job.data.message);
  try {
    return await target.sendMessagesDetailed([message], { keepOpen: true });
  } catch (err) {
    if (err instanceof SendError)
      return { sent: err.sent, outcomes: err.outcomes };
    throw err;
  }
}

/**
 * Delivers one job through `target` and returns its outcome (the job's
 * `returnvalue`). A failure stores the outcome on the job and throws: a
 * transient one a plain Error (BullMQ retries it with backoff), a permanent
 * one, or an ambiguous one unless the job allows it, an `UnrecoverableError`
 * (straight to the failed set), with the SMTP reply as its message.
 */
export async function processMailJob(
  job: Job<MailJobData>,
  target: BaseEmailBackend,
  { UnrecoverableError }: Pick<BullmqModule, 'UnrecoverableError'>,
): Promise<StoredOutcome> {
  const attempt = job.attemptsMade + 1;
  let result: SendResult;
  try {
    result = await send(target, job);
  } catch (err) {
    // Validation errors will not change on a retry; anything else might.
    if (err instanceof BadHeaderError || err instanceof TypeError)
      throw new UnrecoverableError(`permanent: ${(err as Error).message}`);
    throw err;
  }
  const outcome = stored(result.outcomes[0], attempt);
  if (outcome.sent || outcome.status === 'skipped') return outcome;
  await job.updateData({ ...job.data, outcome });
  const reason = `${outcome.classification}: ${outcome.error?.message ?? outcome.status}`;
  const retry =
    outcome.classification === 'transient' ||
    (outcome.classification === 'ambiguous' && job.data.retryAmbiguous);
  throw retry ? new Error(reason) : new UnrecoverableError(reason);
}
