import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  BaseEmailBackend,
  failedOutcome,
  ImproperlyConfiguredError,
  settle,
  skippedOutcome,
  type DetailedSendOptions,
  type EmailMessage,
  type MessageOutcome,
  type OutcomeBase,
  type SendResult,
} from '../index.js';
import { loadBullmq, type BullmqModule } from './load-bullmq.js';
import { enqueue, type ReadyJob } from './enqueue.js';
import { signJob } from './job-signature.js';
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
  /**
   * Random id of the send that queued (or resent) this job: tells the job a
   * send added from an older one with the same Message-ID, and the worker's
   * "data going out" marks of this send from those of an earlier one.
   */
  enqueueId?: string;
  /** HMAC-SHA256 of the job, hex, when the mailer has a `signingSecret`. */
  signature?: string;
  /** The outcome of the last failed attempt, stored by the worker. */
  outcome?: unknown;
}

/** A message checked and ready to queue (pass one of a send). */
interface Checked extends OutcomeBase {
  messageId: string;
  date: string;
  /** Its job, kept from the check while the batch is small. */
  job: PreparedJob | null;
}

/** A message ready to queue. */
interface PreparedJob extends ReadyJob {
  /** The copy that is queued (Message-ID, Date and sender fixed). */
  copy: EmailMessage;
  bytes: number;
}

/** Jobs per Redis transaction of a bulk send. */
const CHUNK_JOBS = 500;
/** Bytes of job data per Redis transaction of a bulk send. */
const CHUNK_BYTES = 8 * 1024 * 1024;

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
 * object (or the same `Message-ID` header) twice queues it once: the second
 * send is a `'duplicate'`, not counted, unless the job failed (then it is
 * queued again). See docs/queue.md for the delivery guarantees.
 *
 * When the target records to an outbox (an in-memory `locmem` mailer, as in
 * tests), each queued message is also recorded there with status
 * `'queued'`, and becomes `'sent'` when a worker of that app delivers it.
 */
export class QueueEmailBackend extends BaseEmailBackend {
  /** The options it was configured with. */
  readonly options: Readonly<QueueMailerOptions>;
  private bullmq?: BullmqModule;
  private target?: BaseEmailBackend;
  /** The producer's queue, connected or connecting. */
  #queue?: Promise<Queue<MailJobData>>;
  /** Open until `close()` (by `open()` or a `keepOpen` send); otherwise each send closes it when no other send runs. */
  #held = false;
  #sending = 0;

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

  /**
   * Connects the producer to Redis; `false` when it already was (or is
   * connecting: concurrent calls share one connection). It stays open until
   * `close()`, which the module calls on `app.close()`.
   */
  override async open(): Promise<boolean> {
    const first = !this.#queue;
    this.#held = true;
    await this.connected();
    return first;
  }

  /** Closes the Redis connection (waiting for one still being made). */
  override async close(): Promise<void> {
    const queue = this.#queue;
    this.#queue = undefined;
    this.#held = false;
    await (await queue?.catch(() => undefined))?.close();
  }

  private connected(): Promise<Queue<MailJobData>> {
    this.#queue ??= this.createQueue().catch((err: unknown) => {
      this.#queue = undefined;
      throw err;
    });
    return this.#queue;
  }

  private async createQueue(): Promise<Queue<MailJobData>> {
    const { Queue } = await this.loadBullmq();
    const {
      attempts = 5,
      backoff = 5000,
      keepCompletedFor = 86_400,
    } = this.options;
    const queue = new Queue<MailJobData>(this.queueName, {
      connection: this.connection,
      defaultJobOptions: {
        attempts,
        backoff: { type: 'exponential', delay: backoff },
        removeOnComplete: { age: keepCompletedFor },
        removeOnFail: false,
      },
    });
    // Errors reach the caller of add(); without a listener they would crash the process.
    queue.on('error', () => {});
    return queue;
  }

  /**
   * Queues the messages that have recipients and returns how many. A message
   * whose Message-ID is already queued (or delivered within
   * `keepCompletedFor`) is not queued again and not counted; one whose job
   * failed is queued again. See {@link sendMessagesDetailed}.
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    return (await this.sendMessagesDetailed(messages)).sent;
  }

  /**
   * Queues the messages and says, for each, what happened: `'sent'` (its job
   * is in Redis), `'duplicate'` (a job with its Message-ID already is, see
   * `duplicateOf`), `'skipped'` (no recipients), or `'failed'` (Redis
   * refused or could not be reached). Every message is validated, rendered
   * and size-checked before anything is queued (`BadHeaderError`,
   * `QueuedMessageTooLargeError`: nothing queued); then they are added in
   * transactions of at most 500 jobs or 8 MB, so a large batch does not
   * hold all its jobs in memory at once. Resolves once Redis acknowledged.
   * @throws SendError (unless `failSilently`) when Redis failed part of it.
   */
  override async sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
    options: DetailedSendOptions = {},
  ): Promise<SendResult> {
    const outcomes: MessageOutcome[] = [];
    const checked = this.checkAll([...messages], outcomes);
    if (!checked.length) return { sent: 0, outcomes };
    if (options.keepOpen) this.#held = true;
    this.#sending++;
    try {
      const queue = await this.connected();
      await this.enqueueAll(queue, checked, outcomes);
    } catch (err) {
      if (!checked.some(({ index }) => outcomes[index])) {
        if (!this.failSilently) throw err;
      }
      for (const item of checked)
        outcomes[item.index] ??= failedOutcome(item, err as Error, false);
    } finally {
      if (--this.#sending === 0 && !this.#held) await this.close();
    }
    return settle(outcomes, this.failSilently);
  }

  /** Pass one: validates, fixes Message-ID and Date, and checks the size of every message. */
  private checkAll(
    messages: EmailMessage[],
    outcomes: MessageOutcome[],
  ): Checked[] {
    const checked: Checked[] = [];
    const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    let kept = 0;
    messages.forEach((message, index) => {
      if (!message.recipients().length) {
        outcomes[index] = skippedOutcome(index, message);
        return;
      }
      const mime = message.message(this.messageSettings);
      const item: Checked = {
        index,
        message,
        messageId: detached(mime.get('Message-ID')!),
        date: detached(mime.get('Date')!),
        envelope: mime.envelope,
        job: null,
      };
      const job = this.prepare(item);
      if (job.bytes > limit)
        throw new QueuedMessageTooLargeError(job.bytes, limit, this.alias);
      kept += job.bytes;
      if (checked.length < CHUNK_JOBS && kept <= CHUNK_BYTES) item.job = job;
      checked.push(item);
    });
    return checked;
  }

  /** Pass two: adds the jobs chunk by chunk, filling in the outcomes. */
  private async enqueueAll(
    queue: Queue<MailJobData>,
    checked: Checked[],
    outcomes: MessageOutcome[],
  ): Promise<void> {
    const first = new Map<string, Checked>();
    const again: Checked[] = [];
    let chunk: Array<[Checked, PreparedJob]> = [];
    let bytes = 0;
    const flush = async () => {
      const done = await enqueue(
        queue,
        chunk.map(([, job]) => job),
        MAIL_JOB_NAME,
      );
      chunk.forEach(([item, job], i) => {
        const result = done[i];
        outcomes[item.index] = result.queued
          ? this.queued(item, job)
          : duplicateOutcome(item, job.jobId, result.state);
      });
      chunk = [];
      bytes = 0;
    };
    for (const item of checked) {
      if (first.has(item.messageId)) {
        again.push(item);
        continue;
      }
      first.set(item.messageId, item);
      const job = item.job ?? this.prepare(item);
      item.job = null;
      chunk.push([item, job]);
      bytes += job.bytes;
      if (chunk.length >= CHUNK_JOBS || bytes >= CHUNK_BYTES) await flush();
    }
    if (chunk.length) await flush();
    for (const item of again) {
      const jobId = jobIdOf(item.messageId);
      outcomes[item.index] = duplicateOutcome(
        item,
        jobId,
        await queue.getJobState(jobId),
      );
    }
  }

  /** The job of a checked message: a copy with its Message-ID, Date and sender fixed, serialised (and signed). */
  private prepare(item: Checked): PreparedJob {
    const copy = item.message.clone();
    // Outside Nest there are no module settings: Django's default sender.
    copy.fromEmail ||=
      this.messageSettings.defaultFromEmail ?? 'webmaster@localhost';
    const given = new Set(
      Object.keys(copy.extraHeaders).map((name) => name.toLowerCase()),
    );
    if (!given.has('message-id'))
      copy.extraHeaders['Message-ID'] = item.messageId;
    if (!given.has('date')) copy.extraHeaders['Date'] = item.date;
    const data: PreparedJob['data'] = {
      message: serializeMessage(copy),
      messageId: item.messageId,
      retryAmbiguous: this.options.retryAmbiguous ?? false,
      enqueueId: randomUUID(),
    };
    const secret = this.options.signingSecret;
    if (secret !== undefined) data.signature = signJob(data, secret);
    const bytes = Buffer.byteLength(JSON.stringify(data));
    return { copy, data, jobId: jobIdOf(item.messageId), bytes };
  }

  /** The outcome of a queued message (recorded in the target's outbox, if it has one). */
  private queued(item: Checked, job: PreparedJob): MessageOutcome {
    this.recordQueued(item, job);
    return {
      index: item.index,
      message: item.message,
      messageId: item.messageId,
      envelope: item.envelope,
      status: 'sent',
      sent: true,
      classification: null,
      accepted: [...item.envelope.to],
      rejected: [],
    };
  }

  private recordQueued(
    { envelope }: Checked,
    { copy, data }: PreparedJob,
  ): void {
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

/**
 * A copy of a header value that does not keep the rendered header block it
 * was cut from alive (V8 keeps the whole string behind a slice): a bulk send
 * holds these for every message until it returns.
 */
function detached(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

/** A message not queued because a job with its Message-ID already exists. */
function duplicateOutcome(
  item: Checked,
  jobId: string,
  state: string,
): MessageOutcome {
  return {
    index: item.index,
    message: item.message,
    messageId: item.messageId,
    envelope: item.envelope,
    status: 'duplicate',
    sent: false,
    classification: null,
    accepted: [],
    rejected: [],
    duplicateOf: { jobId, state },
  };
}
