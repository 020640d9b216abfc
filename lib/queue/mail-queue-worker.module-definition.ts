import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `MailQueueWorkerModule`. Queue, Redis and target come from the queued mailer's own options. */
export interface MailQueueWorkerOptions {
  /**
   * Alias of the queued mailer (configured in `MailModule`) whose queue this
   * worker empties. Optional when the application has exactly one.
   */
  mailer?: string;
  /**
   * Jobs delivered at the same time by this process.
   * @default 1
   */
  concurrency?: number;
  /**
   * How long a job's lock lasts, in ms, renewed while the job runs. A worker
   * that dies mid-job loses it after this time, and another worker takes
   * the job over.
   * @default 30000
   */
  lockDuration?: number;
  /**
   * How often, in ms, the worker looks for jobs whose worker died.
   * @default 30000
   */
  stalledInterval?: number;
  /**
   * How many times a job may be taken over from a worker that died (or
   * held it past `lockDuration`) before it fails with "job stalled more
   * than allowable limit". By default there is no such limit: each
   * takeover counts as an attempt of the job's `attempts`, and is classified
   * like any attempt (retried unless its data had gone out, see the queue
   * docs). Set it only to fail such jobs sooner.
   * @default unlimited (the job's `attempts` limit)
   */
  maxStalledCount?: number;
  /**
   * Secret the jobs must be signed with; see `QueueMailerOptions.signingSecret`.
   * @default the queued mailer's `signingSecret`
   */
  signingSecret?: string | Buffer;
}

export const {
  ConfigurableModuleClass: MailQueueWorkerConfigurableModule,
  MODULE_OPTIONS_TOKEN: MAIL_QUEUE_WORKER_OPTIONS,
} = new ConfigurableModuleBuilder<MailQueueWorkerOptions>({
  moduleName: 'MailQueueWorker',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMailQueueWorkerOptions')
  .build();
