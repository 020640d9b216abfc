import type { Queue } from 'bullmq';
import type { MailJobData } from './queue.backend.js';
import { runScript } from './redis-scripts.js';

/** A job ready to add. */
export interface ReadyJob {
  jobId: string;
  data: MailJobData & { enqueueId: string };
}

/** What became of a job given to {@link enqueue}. */
export type Enqueued = { queued: true } | { queued: false; state: string };

/**
 * Adds the jobs in one transaction, then tells each one added from each one
 * whose id was taken by an older job. An older job that failed is sent
 * again with the new data (attempts start over); any other is a duplicate,
 * reported with its state.
 */
export async function enqueue(
  queue: Queue<MailJobData>,
  jobs: ReadyJob[],
  name: string,
): Promise<Enqueued[]> {
  await queue.addBulk(
    jobs.map(({ jobId, data }) => ({ name, data, opts: { jobId } })),
  );
  const created = (await runScript(queue, 'nestjsMailCreatedBy', [
    queue.toKey(''),
    ...jobs.flatMap(({ jobId, data }) => [
      jobId,
      `"enqueueId":"${data.enqueueId}"`,
    ]),
  ])) as number[];
  return Promise.all(
    jobs.map((job, i) =>
      created[i] ? { queued: true as const } : resendIfFailed(queue, job),
    ),
  );
}

async function resendIfFailed(
  queue: Queue<MailJobData>,
  { jobId, data }: ReadyJob,
): Promise<Enqueued> {
  const replaced = await runScript(queue, 'nestjsMailReplaceFailed', [
    queue.toKey(jobId),
    queue.keys.failed,
    jobId,
    JSON.stringify(data),
  ]);
  if (replaced) {
    const job = await queue.getJob(jobId);
    try {
      await job!.retry('failed', {
        resetAttemptsMade: true,
        resetAttemptsStarted: true,
      });
      return { queued: true };
    } catch {
      // Another producer resent it first.
    }
  }
  return { queued: false, state: await queue.getJobState(jobId) };
}
