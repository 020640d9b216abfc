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
