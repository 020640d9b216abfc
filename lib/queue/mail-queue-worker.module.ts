import { Module } from '@nestjs/common';
import { MailQueueWorker } from './mail-queue-worker.js';
import { MailQueueWorkerConfigurableModule } from './mail-queue-worker.module-definition.js';

/**
 * Runs a worker that delivers the jobs of a queued mailer (see `queue()`)
 * through its target mailer. Import it next to `MailModule`, configured with
 * the same mailers as the producing app; run as many as you like, on any
 * machine that reaches Redis.
 *
 * @example
 * @Module({
 *   imports: [
 *     MailModule.forRoot({ options: { url: process.env.EMAIL_URL },
 *       mailers: { bulk: queue({ connection: { url: process.env.REDIS_URL } }) } }),
 *     MailQueueWorkerModule.forRoot({ concurrency: 4 }),
 *   ],
 * })
 * class WorkerModule {}
 */
@Module({ providers: [MailQueueWorker], exports: [MailQueueWorker] })
export class MailQueueWorkerModule extends MailQueueWorkerConfigurableModule {}
