import type { BaseEmailBackendOptions } from '../index.js';

/**
 * Where Redis is: `{ host, port }` (plus `password`, `db`, `tls`, ... as
 * ioredis takes them) or `{ url: 'redis://user:pass@host:6379/0' }`.
 */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL; fields given next to it win. */
  url?: string;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 6379 */
  port?: number;
  username?: string;
  password?: string;
  /** Database number. @default 0 */
  db?: number;
  /** Any other ioredis option (`tls`, `family`, ...). */
  [option: string]: unknown;
}

/** Options of a queued mailer; see {@link queue}. */
export interface QueueMailerOptions extends BaseEmailBackendOptions {
  /** The Redis that holds the queue, shared by producers and workers. */
  connection: RedisConnectionOptions;
  /**
   * Alias of the mailer the worker delivers through (a key of `mailers`, or
   * `'default'`). The producing app must configure it too: it is checked at
   * startup, and the worker uses the same configuration.
   * @default 'default'
   */
  target?: string;
  /**
   * BullMQ queue name (no `:`). Give each queued mailer its own.
   * @default 'nestjs-mail'
   */
  queueName?: string;
  /**
   * Largest job, in bytes of serialised JSON (attachments as base64, so
   * about 4/3 of their size). Above it, the send throws
   * `QueuedMessageTooLargeError` and nothing is queued. Redis holds every
   * job in memory: send big files as links.
   * @default 10485760 (10 MB)
   */
  maxMessageBytes?: number;
  /**
   * Delivery attempts per message, the first included. Only transient
   * failures (4xx, connection refused, dropped before the end of data) are
   * retried.
   * @default 5
   */
  attempts?: number;
  /**
   * Delay before the first retry, in ms; it doubles with each retry.
   * @default 5000
   */
  backoff?: number;
  /**
   * Also retry ambiguous failures: the connection was lost after the whole
   * message was sent and before the server answered, so the message may
   * have been delivered. Retrying may deliver it twice.
   * @default false
   */
  retryAmbiguous?: boolean;
  /**
   * How long a delivered job stays in Redis, in seconds. While it is there,
   * sending the same Message-ID again queues nothing: its outcome is
   * `'duplicate'` and it is not counted. A failed job stays until removed;
   * sending its Message-ID again queues it again.
   * @default 86400 (one day)
   */
  keepCompletedFor?: number;
  /**
   * Secret with which the producer signs each job (HMAC-SHA256 over the
   * serialized message, its Message-ID, `retryAmbiguous` and the send's
   * enqueue id) and the worker
   * checks it: a job whose signature is missing or does not match fails
   * permanently, unsent. Then write access to Redis alone cannot send mail
   * as the app. Give producers and workers the same secret (e.g. from the
   * environment), at least 32 random bytes.
   * @default undefined (jobs are validated, not signed)
   */
  signingSecret?: string | Buffer;
}
