import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { ImproperlyConfiguredError, MailerRegistry } from '../index.js';
import { processMailJob, type StoredOutcome } from './mail-job.processor.js';
import {
  MAIL_QUEUE_WORKER_OPTIONS,
  type MailQueueWorkerOptions,
} from './mail-queue-worker.module-definition.js';
import { QueueEmailBackend, type MailJobData } from './queue.backend.js';
import { readingWorker } from './unreadable-job.js';

/** BullMQ's stall limit by default: none of its own, the job's `attempts` limit stalls (each is an attempt). */
const UNLIMITED_STALLS = 1_000_000_000;

/**
 * Delivers the jobs of a queued mailer through its target mailer. Started
 * when the application boots; on `app.close()` it takes no new job and
 * waits for the ones in flight, before the mailers' connections close.
 */
@Injectable()
export class MailQueueWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(MailQueueWorker.name);
  /** The queued mailer whose jobs it delivers, once started. */
  source?: QueueEmailBackend;
  /** The BullMQ worker, once started (for its events). */
  worker?: Worker<MailJobData, StoredOutcome>;

  constructor(
    @Inject(MAIL_QUEUE_WORKER_OPTIONS)
    private readonly options: MailQueueWorkerOptions,
    @Optional() private readonly registry?: MailerRegistry,
  ) {}

  /** Starts taking jobs. */
  async onApplicationBootstrap(): Promise<void> {
    const source = (this.source = this.queuedMailer());
    const target = source.targetMailer;
    if (!target)
      throw new ImproperlyConfiguredError(
        `Mailer '${source.alias}' was not bound to its target; is it configured in MailModule?`,
      );
    const bullmq = await source.loadBullmq();
    const { concurrency = 1, lockDuration, stalledInterval } = this.options;
    const { maxStalledCount = UNLIMITED_STALLS } = this.options;
    const signingSecret =
      this.options.signingSecret ?? source.options.signingSecret;
    const timing = Object.fromEntries(
      Object.entries({ lockDuration, stalledInterval }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const Worker = readingWorker(bullmq.Worker);
    const worker: Worker<MailJobData, StoredOutcome> = new Worker(
      source.queueName,
      (job: Job<MailJobData>, token?: string) =>
        processMailJob(job, target, {
          worker,
          token,
          signingSecret,
          UnrecoverableError: bullmq.UnrecoverableError,
        }),
      {
        connection: { ...source.connection, maxRetriesPerRequest: null },
        concurrency,
        maxStalledCount,
        ...timing,
      },
    );
    this.worker = worker;
    this.worker.on('error', (err) => this.logger.error(err.message));
    this.worker.on('failed', (job, err) =>
      this.logger.warn(
        `${job?.data?.messageId ?? job?.id} attempt ${job?.attemptsStarted}: ${err.message}`,
      ),
    );
    await this.worker.waitUntilReady();
  }

  /** Finishes the jobs in flight and stops, before the target's connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private queuedMailer(): QueueEmailBackend {
    const registry = this.registry;
    if (!registry) {
      throw new ImproperlyConfiguredError(
        'MailQueueWorkerModule needs MailModule in the same application, configured with the queued mailer ' +
          '(registered globally, the default, or imported next to MailQueueWorkerModule).',
      );
    }
    const queued = registry
      .aliases()
      .filter((alias) => registry.get(alias) instanceof QueueEmailBackend);
    const alias = this.options.mailer ?? (queued.length === 1 ? queued[0] : '');
    if (!queued.includes(alias)) {
      throw new ImproperlyConfiguredError(
        this.options.mailer
          ? `MailQueueWorkerModule: mailer '${alias}' is not a queued mailer; queued mailers: ${queued.join(', ') || 'none'}.`
          : `MailQueueWorkerModule: set "mailer" to the queued mailer to work for; found ${queued.length ? queued.join(', ') : 'none'}.`,
      );
    }
    return registry.get(alias) as QueueEmailBackend;
  }
}
