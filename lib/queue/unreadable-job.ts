import type * as Bullmq from 'bullmq';
import type { Job, JobJson } from 'bullmq';

/** The data a job gets when what Redis holds is not JSON. */
export interface UnreadableJobData {
  /** Why it could not be read. */
  unreadable: string;
  /** The start of what Redis held (at most 200 characters). */
  excerpt: string;
}

/** Whether the job's data is an {@link UnreadableJobData}. */
export function isUnreadable(data: unknown): data is UnreadableJobData {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as UnreadableJobData).unreadable === 'string'
  );
}

/**
 * A BullMQ `Worker` class whose jobs never fail to load: a job whose data
 * is not JSON (truncated, or changed in Redis) gets an
 * {@link UnreadableJobData} instead, which the processor fails permanently
 * (BullMQ would otherwise log it every few seconds and leave it active).
 */
export function readingWorker(
  Worker: typeof Bullmq.Worker,
): typeof Bullmq.Worker {
  return class ReadingWorker extends Worker {
    protected override createJob(json: JobJson, jobId: string): Job {
      try {
        return super.createJob(json, jobId);
      } catch (err) {
        const data: UnreadableJobData = {
          unreadable: `the job data is not JSON (${(err as Error).message})`,
          excerpt: String(json.data).slice(0, 200),
        };
        return super.createJob({ ...json, data: JSON.stringify(data) }, jobId);
      }
    }
  };
}
