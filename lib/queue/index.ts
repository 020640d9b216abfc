/**
 * `nestjs-mail/queue`: queued sending on BullMQ and Redis. A `queue()` mailer
 * enqueues; `MailQueueWorkerModule` (or `npx nestjs-mail worker`) delivers.
 * Needs the optional peers `bullmq` and `ioredis`.
 *
 * @packageDocumentation
 */
export { queue } from './queue.config.js';
export {
  QueueEmailBackend,
  DEFAULT_QUEUE_NAME,
  DEFAULT_MAX_MESSAGE_BYTES,
  type MailJobData,
} from './queue.backend.js';
export type {
  QueueMailerOptions,
  RedisConnectionOptions,
} from './queue-mailer-options.interface.js';
export { QueuedMessageTooLargeError } from './queued-message-too-large.error.js';
export { MailQueueWorkerModule } from './mail-queue-worker.module.js';
export { MailQueueWorker } from './mail-queue-worker.js';
export type { MailQueueWorkerOptions } from './mail-queue-worker.module-definition.js';
export type { StoredOutcome } from './mail-job.processor.js';
export type {
  SerializedAttachment,
  SerializedContent,
  SerializedMessage,
} from './message-codec.js';
