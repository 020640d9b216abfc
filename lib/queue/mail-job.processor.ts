import type { Job } from 'bullmq';
import {
  BadHeaderError,
  SendError,
  type BaseEmailBackend,
  type SmtpError,
} from '../index.js';
import type { MessageOutcome, SendResult } from '../index.js';
import type { BullmqModule } from './load-bullmq.js';
import { hasValidSignature } from './job-signature.js';
import { invalidJobData } from './job-validation.js';
import { deserializeMessage } from './message-codec.js';
import type { MailJobData } from './queue.backend.js';
import { runScript, type OnRedis } from './redis-scripts.js';
import { isUnreadable } from './unreadable-job.js';

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

/** What the worker records on a job just before the final `.` of its message goes out. */
export interface DataOutMark {
  /** The attempt (from 1, stalls included) whose data went out. */
  attempt: number;
  /** When, as an ISO date. */
  at: string;
  /** The `enqueueId` of the job data it belongs to. */
  enqueueId: string | null;
}

/** How the processor reaches Redis and what it checks. */
export interface MailJobContext extends Pick<
  BullmqModule,
  'UnrecoverableError'
> {
  /** The worker (its connection records the marks). */
  worker: OnRedis;
  /** The job's lock token, as BullMQ gives it to the processor. */
  token?: string;
  /** Jobs must carry this secret's signature; see `QueueMailerOptions.signingSecret`. */
  signingSecret?: string | Buffer;
}

/** The mark of an earlier attempt whose data went out and whose answer was never recorded. */
function unconfirmed(
  job: Job<MailJobData>,
  attempt: number,
): DataOutMark | null {
  const mark = (job.progress as { dataOut?: DataOutMark } | undefined)?.dataOut;
  if (!mark || mark.attempt >= attempt) return null;
  if (mark.enqueueId !== (job.data.enqueueId ?? null)) return null;
  // Answered: a reply to that attempt was recorded (an ambiguous outcome is no answer).
  const last = job.data.outcome as StoredOutcome | undefined;
  const answered =
    last?.attempt === mark.attempt && last.classification !== 'ambiguous';
  return answered ? null : mark;
}

/** Records, while this worker holds the job, that attempt `attempt` is about to end its data. */
async function markDataOut(
  job: Job<MailJobData>,
  attempt: number,
  { worker, token }: MailJobContext,
): Promise<void> {
  const key = worker.toKey(job.id!);
  const mark: DataOutMark = {
    attempt,
    at: new Date().toISOString(),
    enqueueId: job.data.enqueueId ?? null,
  };
  const held = await runScript(worker, 'nestjsMailMarkDataOut', [
    key,
    `${key}:lock`,
    `${key}:logs`,
    token ?? '',
    JSON.stringify({ dataOut: mark }),
    `attempt ${attempt}: data going out at ${mark.at}`,
  ]);
  if (!held)
    throw new Error(
      'this worker no longer holds the job (its lock expired), so the final "." was not sent',
    );
  job.progress = { dataOut: mark };
}

async function send(
  target: BaseEmailBackend,
  job: Job<MailJobData>,
  beforeDataEnd: () => Promise<void>,
): Promise<SendResult> {
  const message = deserializeMessage(job.data.message);
  try {
    return await target.sendMessagesDetailed([message], {
      keepOpen: true,
      beforeDataEnd,
    });
  } catch (err) {
    if (err instanceof SendError)
      return { sent: err.sent, outcomes: err.outcomes };
    throw err;
  }
}

/** The outcome stored when an attempt ended without one: the worker stopped. */
function stopped(
  job: Job<MailJobData>,
  attempt: number,
  classification: 'ambiguous' | 'transient',
  message: string,
): StoredOutcome {
  const ambiguous = classification === 'ambiguous';
  return {
    index: 0,
    messageId: job.data.messageId,
    envelope: { from: job.data.message.fromEmail, to: [] },
    status: ambiguous ? 'unknown' : 'failed',
    sent: false,
    classification,
    accepted: [],
    rejected: [],
    attempt,
    error: { name: 'WorkerStopped', message },
  };
}

/**
 * Delivers one job through `target` and returns its outcome (the job's
 * `returnvalue`). Each start of the job is an attempt, a start after a
 * stall included. In order:
 *
 * - data that is not JSON, fails validation, or (with a signing secret)
 *   does not carry a matching signature: failed permanently, unsent;
 * - an earlier attempt marked its data as going out and no answer was
 *   recorded (the worker stopped between the final `.` and recording the
 *   outcome): failed as `ambiguous` with that evidence, unless the job
 *   allows `retryAmbiguous`;
 * - every attempt used up by stalls: failed as `transient`;
 * - otherwise it sends, recording the mark just before the final `.`.
 *
 * A failure stores the outcome on the job and throws: a plain Error when a
 * retry is allowed (a transient failure, or an ambiguous one with
 * `retryAmbiguous`, while attempts remain; BullMQ retries with backoff),
 * otherwise an `UnrecoverableError` (straight to the failed set), with the
 * SMTP reply as its message.
 */
export async function processMailJob(
  job: Job<MailJobData>,
  target: BaseEmailBackend,
  context: MailJobContext,
): Promise<StoredOutcome> {
  const { UnrecoverableError, signingSecret } = context;
  const refuse = (reason: string) =>
    new UnrecoverableError(`permanent: ${reason}; not sent`);
  const data: unknown = job.data;
  if (isUnreadable(data)) {
    // Valid JSON from now on, so dashboards and getJobs() can read the job.
    await job.updateData(data as unknown as MailJobData);
    throw refuse(data.unreadable);
  }
  const invalid = invalidJobData(data, job.id);
  if (invalid) throw refuse(`the job data is invalid: ${invalid}`);
  if (
    signingSecret !== undefined &&
    !hasValidSignature(job.data, signingSecret)
  )
    throw refuse(
      'the job signature is missing or does not match signingSecret (the job was not queued with this secret, or was changed in Redis)',
    );

  const attempt = Math.max(job.attemptsStarted, 1);
  const attempts = job.opts.attempts ?? 1;
  const fail = async (outcome: StoredOutcome, retry: boolean) => {
    await job.updateData({ ...job.data, outcome });
    const reason = `${outcome.classification}: ${outcome.error?.message ?? outcome.status}`;
    throw retry && attempt < attempts
      ? new Error(reason)
      : new UnrecoverableError(reason);
  };
  const mark = unconfirmed(job, attempt);
  if (mark && !job.data.retryAmbiguous)
    return fail(
      stopped(
        job,
        mark.attempt,
        'ambiguous',
        `attempt ${mark.attempt} stopped after its data went out (${mark.at}) and before the ` +
          "server's answer was recorded: the server may have it; not resent (retryAmbiguous is off)",
      ),
      false,
    );
  if (attempt > attempts)
    return fail(
      stopped(
        job,
        attempt - 1,
        'transient',
        `the worker stopped during every attempt (${attempts} of ${attempts}) before the data went out`,
      ),
      false,
    );

  let result: SendResult;
  try {
    result = await send(target, job, () => markDataOut(job, attempt, context));
  } catch (err) {
    // Validation errors will not change on a retry; anything else might.
    if (
      err instanceof BadHeaderError ||
      err instanceof TypeError ||
      err instanceof RangeError
    )
      throw refuse((err as Error).message);
    throw err;
  }
  const outcome = stored(result.outcomes[0], attempt);
  if (outcome.sent || outcome.status === 'skipped') return outcome;
  return fail(
    outcome,
    outcome.classification === 'transient' ||
      (outcome.classification === 'ambiguous' && job.data.retryAmbiguous),
  );
}
