import type { Queue } from 'bullmq';
import {
  BaseEmailBackend,
  ImproperlyConfiguredError,
  type EmailMessage,
  type Envelope,
} from '../index.js';
import { loadBullmq, type BullmqModule } from './load-bullmq.js';
import { serializeMessage, type SerializedMessage } from './message-codec.js';
import type {
  QueueMailerOptions,
  RedisConnectionOptions,
} from './queue-mailer-options.interface.js';
import { QueuedMessageTooLargeError } from './queued-message-too-large.error.js';

/** What a job carries. */
export interface MailJobData {
  /** The message, attachments included, its Message-ID and Date fixed. */
  message: SerializedMessage;
  /** Its Message-ID (the job id is derived from it). */
  messageId: string;
  /** Whether an ambiguous failure may be retried (the producer's `retryAmbiguous`). */
  retryAmbiguous: boolean;
  /** The outcome of the last failed attempt, stored by the worker. */
  outcome?: unknown;
}

/** A message ready to queue. */
interface PreparedJob {
  /** The copy that is queued (Message-ID, Date and sender fixed). */
  copy: EmailMessage;
  data: MailJobData;
  envelope: Envelope;
}

/** Name of every job of a mail queue. */
export const MAIL_JOB_NAME = 'send';
/** Default BullMQ queue name. */
export const DEFAULT_QUEUE_NAME = 'nestjs-mail';
/** Default of `maxMessageBytes`: 10 MB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The BullMQ job id of a Message-ID: the same, with `%` and `:` escaped (BullMQ forbids `:`). */
export function jobIdOf(messageId: string): string {
  return messageId.replace(/[%:]/g, encodeURIComponent);
}

/**
 * A mailer that puts messages on a BullMQ queue in Redis instead of sending
 * them; a worker (`MailQueueWorkerModule` or `npx nestjs-mail worker`)
 * delivers them through the `target` mailer. Configure it with {@link queue}.
 *
 * A send validates and renders every message first (so `BadHeaderError`
 * surfaces here), fixes its `Message-ID` and `Date`, and resolves once Redis
 * holds the jobs. The job id is the Message-ID, so sending the same message
 * object (or the same `Message-ID` header) twice queues it once.
 *
 * When the target records to an outbox (an in-memory `locmem` mailer, as in
 * tests), each queued message is also recorded there with status
 * `'queued'`, and becomes `'sent'` when a worker of that app delivers it.
 */
export class QueueEmailBackend extends BaseEmailBackend {
  /** The options it was configured with. */
  readonly options: Readonly<QueueMailerOptions>;
  private bullmq?: BullmqModule;
  private queue?: Queue<MailJobData>;
  private target?: BaseEmailBackend;

  constructor(options: QueueMailerOptions) {
    super(options);
    if (!options?.connection) {
      throw new ImproperlyConfiguredError(
        'a queued mailer needs "connection": where Redis is, e.g. { host: "127.0.0.1", port: 6379 }.',
      );
    }
    const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
    if (queueName.includes(':'))
      throw new ImproperlyConfiguredError(
        `queueName ${JSON.stringify(queueName)} must not contain ":".`,
      );
    this.options = { ...options, queueName };
  }

  /** Alias of the mailer the worker delivers through. */
  get targetAlias(): string {
    return this.options.target ?? 'default';
  }

  /** The BullMQ queue name. */
  get queueName(): string {
    return this.options.queueName!;
  }

  /** The Redis connection options as BullMQ takes them. */
  get connection(): RedisConnectionOptions {
    return { ...this.options.connection };
  }

  /** Checks that the target exists and delivers (it must not be a queue itself). */
  bindMailers(lookup: (alias: string) => BaseEmailBackend): void {
    const target = lookup(this.targetAlias);
    if (target instanceof QueueEmailBackend) {
      throw new ImproperlyConfiguredError(
        `Mailer '${this.alias}': target '${this.targetAlias}' is a queued mailer too; ` +
          'target a mailer that delivers (smtp, console, ...).',
      );
    }
    this.target = target;
  }

  /** The mailer the worker delivers through (after the module bound it). */
  get targetMailer(): BaseEmailBackend | undefined {
    return this.target;
  }

  /** Loads BullMQ when the application starts, so a missing package fails there. */
  async onModuleInit(): Promise<void> {
    await this.loadBullmq();
  }

  /** BullMQ, loaded once; throws "install bullmq" when it is missing. */
  async loadBullmq(): Promise<BullmqModule> {
    return (this.bullmq ??= await this.importBullmq());
  }

  /** How BullMQ is imported; a subclass may replace it (tests simulate a missing package). */
  protected importBullmq(): Promise<BullmqModule> {
    return loadBullmq();
  }

  /** Connects the producer to Redis; `false` when it already was. */
  override async open(): Promise<boolean> {
    if (this.queue) return false;
    const { Queue } = await this.loadBullmq();
    const {
      attempts = 5,
      backoff = 5000,
      keepCompletedFor = 86_400,
    } = this.options;
    this.queue = new Queue<MailJobData>(this.queueName, {
      connection: this.connection,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: backoff },
        removeOnComplete: { age: keepCompletedFor },
        removeOnFail: false,
      },
    });
    // Errors reach the caller of add(); without a listener they would crash the process.
    this.queue.on('error', () => {});
    return true;
  }

  /** Closes the Redis connection. */
  override async close(): Promise<void> {
    const queue = this.queue;
    this.queue = undefined;
    await queue?.close();
  }

  /**
   * Queues the messages that have recipients and returns how many. Resolves
   * once Redis acknowledged every job. Throws `QueuedMessageTooLargeError`
   * (nothing queued) for a message over `maxMessageBytes`.
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    const jobs = [...messages]
      .filter((message) => message.recipients().length)
      .map((message) => this.job(message));
    if (!jobs.length) return 0;
    const opened = await this.open();
    try {
      await this.queue!.addBulk(
        jobs.map(({ data }) => ({
          name: MAIL_JOB_NAME,
          data,
          opts: { jobId: jobIdOf(data.messageId) },
        })),
      );
    } catch (err) {
      if (this.failSilently) return 0;
      throw err;
    } finally {
      if (opened) await this.close();
    }
    for (const job of jobs) this.recordQueued(job);
    return jobs.length;
  }

  /** Renders the message once to fix its Message-ID and Date, and serialises it. */
  private job(message: EmailMessage): PreparedJob {
    const mime = message.message(this.messageSettings);
    const messageId = mime.get('Message-ID')!;
    const copy = message.clone();
    // Outside Nest there are no module settings: Django's default sender.
    copy.fromEmail ||=
      this.messageSettings.defaultFromEmail ?? 'webmaster@localhost';
    const given = new Set(
      Object.keys(copy.extraHeaders).map((name) => name.toLowerCase()),
    );
    if (!given.has('message-id')) copy.extraHeaders['Message-ID'] = messageId;
    if (!given.has('date')) copy.extraHeaders['Date'] = mime.get('Date')!;
    const data: MailJobData = {
      message: serializeMessage(copy),
      messageId,
      retryAmbiguous: this.options.retryAmbiguous ?? false,
    };
    const size = Buffer.byteLength(JSON.stringify(data));
    const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (size > limit)
      throw new QueuedMessageTooLargeError(size, limit, this.alias);
    return { copy, data, envelope: mime.envelope };
  }

  private recordQueued({ copy, data, envelope }: PreparedJob): void {
    const outbox = this.target?.outbox;
    if (!outbox || outbox.findByMessageId(data.messageId)) return;
    outbox.record({
      message: copy,
      mailer: this.alias,
      envelope,
      settings: { ...this.messageSettings },
      status: 'queued',
      messageId: data.messageId,
    });
  }
}
