import type { MailerConfig } from '../index.js';
import { QueueEmailBackend } from './queue.backend.js';
import type { QueueMailerOptions } from './queue-mailer-options.interface.js';

/**
 * The configuration of a queued mailer, for `MailModule`'s `mailers`:
 * sends through it enqueue on BullMQ in Redis, and a worker delivers them
 * through the `target` mailer. Needs `npm install bullmq ioredis`.
 *
 * @example
 * MailModule.forRoot({
 *   backend: 'smtp',
 *   options: { url: process.env.EMAIL_URL },
 *   mailers: { bulk: queue({ connection: { url: process.env.REDIS_URL }, target: 'default' }) },
 * });
 * await mail.sendMail('Hi', 'Body', null, ['to@example.com'], { using: 'bulk' });
 */
export function queue(options: QueueMailerOptions): MailerConfig {
  return { backend: QueueEmailBackend, options };
}
