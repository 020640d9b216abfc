import { readFile } from 'node:fs/promises';
import { settle, type DetailedSendOptions } from '../delivery/detailed-send.js';
import type {
  MessageOutcome,
  SendResult,
} from '../delivery/message-outcome.js';
import {
  failedOutcome,
  notAttemptedOutcome,
  sentOutcome,
  skippedOutcome,
  type OutcomeBase,
} from '../delivery/outcomes.js';
import type { EmailMessage } from '../message/email-message.js';
import { getDnsName } from '../message/headers.js';
import type { MimeMessage } from '../message/mime-message.js';
import { BaseEmailBackend } from './base.backend.js';
import type { MailerContext } from './mailer-context.js';
import type { RateLimit } from './rate-limiter.js';
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS,
  resolveSmtpOptions,
  smtpTimeouts,
  type SmtpEmailBackendOptions,
  type SmtpTimeouts,
} from './smtp-options.js';
import { SmtpPool, type SmtpPoolStatus } from './smtp-pool.js';
import { SmtpSession, type SessionAttempt } from './smtp-session.js';

export type { SmtpEmailBackendOptions } from './smtp-options.js';
export type { SmtpPoolStatus } from './smtp-pool.js';

/** A message waiting to be sent; `mime` is dropped once it has been. */
interface Pending {
  base: OutcomeBase;
  mime: MimeMessage | null;
  /** `DetailedSendOptions.beforeDataEnd` for this message. */
  beforeEnd?: () => Promise<void> | void;
}

/**
 * How many messages of a batch keep the MIME tree built while validating
 * them; the others build theirs when they go out, so a batch of any size
 * holds at most this many trees.
 */
const BUILT_AHEAD = 16;

/**
 * Sends mail over SMTP, Django's `django.core.mail.backends.smtp.EmailBackend`,
 * on nodemailer's low-level `SMTPConnection`, with a pool of up to
 * `maxConnections` connections shared by every send of the instance.
 *
 * - `open()` connects (TLS, AUTH) and returns `true`, or `false` when a
 *   connection is already open. Any failure on the way drops the half-open
 *   connection. Until `close()`, sends leave their connections open (closed
 *   after `idleTimeout` unused, reopened on demand).
 * - `sendMessages()` on a backend that is not open opens what it needs and
 *   closes it all at the end, as in Django.
 * - Concurrent calls and the messages of one batch spread over the pool
 *   (see {@link SmtpEmailBackendOptions.maxConnections}); outcomes keep the
 *   order of the messages given. `close()` waits for the sends already
 *   started, then closes every connection.
 * - One failed message does not stop the others: they are still sent, on a
 *   new connection if the server dropped this one (Django stops, or with
 *   `failSilently` fails every later message). Then, unless `failSilently`,
 *   a {@link SendError} lists what happened to every message.
 * - A message is never sent twice by the backend: it is retried (once, on a
 *   new connection) only when a reused connection turned out dead before any
 *   byte of the message was read. A connection lost after the final `.`, or a
 *   server reply out of turn, makes the message `'ambiguous'` (the server may
 *   have it), never a resend.
 * - `failSilently` swallows connection and SMTP errors (the message counts as
 *   not sent); invalid headers and addresses always throw, before anything
 *   is sent or connected.
 * - A message that some recipients refused still counts as sent, as in Django;
 *   {@link SmtpEmailBackend.sendMessagesDetailed} says which were refused.
 *
 * @example
 * await using conn = new SmtpEmailBackend({ host: 'smtp.example.com', useTls: true,
 *   username: 'apikey', password: process.env.SMTP_PASSWORD });
 * await conn.open();
 * await conn.sendMessages([m1, m2]);
 */
export class SmtpEmailBackend extends BaseEmailBackend {
  /** See {@link SmtpEmailBackendOptions.host}. */
  readonly host: string;
  /** See {@link SmtpEmailBackendOptions.port}. */
  readonly port: number;
  /** See {@link SmtpEmailBackendOptions.username}. */
  readonly username: string | undefined;
  /** See {@link SmtpEmailBackendOptions.useTls}. */
  readonly useTls: boolean;
  /** See {@link SmtpEmailBackendOptions.useSsl}. */
  readonly useSsl: boolean;
  /** See {@link SmtpEmailBackendOptions.timeout}; `undefined` means the defaults. */
  readonly timeout: number | null | undefined;
  /** See {@link SmtpEmailBackendOptions.sslCertfile}. */
  readonly sslCertfile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.sslKeyfile}. */
  readonly sslKeyfile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.sslCafile}. */
  readonly sslCafile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.maxConnections}. */
  readonly maxConnections: number;
  /** See {@link SmtpEmailBackendOptions.maxMessagesPerConnection}. */
  readonly maxMessagesPerConnection: number;
  /** See {@link SmtpEmailBackendOptions.idleTimeout} (seconds). */
  readonly idleTimeout: number;
  /** See {@link SmtpEmailBackendOptions.rateLimit}. */
  readonly rateLimit: RateLimit | undefined;

  readonly #password: string | undefined;
  readonly #pool: SmtpPool;
  /** Whether sends leave connections open: after `open()` or a `keepOpen` send, until `close()`. */
  #held = false;
  /** Sends in progress on a backend that is not held: the last one closes the pool. */
  #transient = 0;
  /** Sends in progress, for `close()` to wait for. */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** A connect started by `open()`, shared by concurrent calls. */
  #opening: Promise<boolean> | undefined;
  /** CA, certificate and key, read once on the first connect. */
  #tlsFiles?: Promise<Array<Buffer | undefined>>;
  /** The timeouts every connection gets, from `timeout`. */
  readonly #timeouts: Partial<SmtpTimeouts>;

  /**
   * @param context given by `MailModule` (see {@link BaseEmailBackend}).
   * @throws ImproperlyConfiguredError on a bad URL or option value, naming it.
   */
  constructor(given: SmtpEmailBackendOptions = {}, context?: MailerContext) {
    super(given, context);
    const options = resolveSmtpOptions(given);
    this.useTls = options.useTls ?? false;
    this.useSsl = options.useSsl ?? false;
    this.host = options.host || 'localhost';
    this.port = options.port || (this.useSsl ? 465 : this.useTls ? 587 : 25);
    this.username = options.username;
    this.#password = options.password;
    this.timeout = options.timeout;
    this.sslCertfile = options.sslCertfile;
    this.sslKeyfile = options.sslKeyfile;
    this.sslCafile = options.sslCafile;
    this.maxConnections =
      options.maxConnections ?? options.concurrency ?? DEFAULT_MAX_CONNECTIONS;
    this.maxMessagesPerConnection =
      options.maxMessagesPerConnection ?? Infinity;
    this.idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.rateLimit = options.rateLimit;
    this.#timeouts = smtpTimeouts(this.timeout);
    this.#pool = new SmtpPool(() => this.connect(), {
      maxConnections: this.maxConnections,
      maxMessagesPerConnection: this.maxMessagesPerConnection,
      idleTimeout: this.idleTimeout * 1000,
      rateLimit: this.rateLimit,
      quitGrace: Math.min(this.#timeouts.command ?? 5000, 5000),
    });
  }

  /** @deprecated Use {@link SmtpEmailBackend.maxConnections}. */
  get concurrency(): number {
    return this.maxConnections;
  }

  /**
   * Whether a connection is open (as far as this process knows: a server
   * that dropped an idle connection is noticed at the next send, which
   * reconnects). A synchronous check, so a caller can skip `open()`.
   */
  get isOpen(): boolean {
    return this.#pool.status.open > 0;
  }

  /**
   * The pool right now: connections open, busy and idle, and messages
   * waiting for one. Read-only; for health checks and metrics.
   */
  get pool(): Readonly<SmtpPoolStatus> {
    return this.#pool.status;
  }

  /**
   * Connects, upgrades to TLS and logs in as configured; from now on sends
   * leave their connections open until `close()`.
   *
   * @returns `true` when it opened a connection, `false` when one was already
   *   open, `undefined` when opening failed and `failSilently` is set.
   * @throws the connection, TLS or authentication error otherwise.
   */
  async open(): Promise<boolean | undefined> {
    this.#held = true;
    if (this.isOpen) return false;
    this.#opening ??= this.#pool.check().then(
      () => true,
      (err: unknown) => {
        this.#held = false;
        throw err;
      },
    );
    const opening = this.#opening;
    try {
      return await opening;
    } catch (err) {
      if (this.failSilently) return undefined;
      throw err;
    } finally {
      if (this.#opening === opening) this.#opening = undefined;
    }
  }

  /**
   * Waits for the sends already started, then says goodbye (QUIT) on every
   * connection and closes it. Harmless when nothing is open or the server is
   * already gone.
   */
  async close(): Promise<void> {
    this.#held = false;
    await Promise.allSettled([...this.#inFlight, this.#opening]);
    await this.#pool.closeIdle();
  }

  /**
   * Checks that the server answers, for a health indicator: RSET over an
   * idle connection when there is one (nodemailer's `SMTPConnection` has no
   * NOOP), otherwise a new connection (kept in the pool, so it does not leave
   * a connection open on a backend that is not open unless the backend was
   * opened). When every connection is busy, nothing is sent.
   *
   * @returns how it checked.
   * @throws the connection, TLS, AUTH or reply error.
   */
  async checkServer(): Promise<'reset' | 'connect' | 'busy'> {
    const transient = !this.#held;
    if (transient) this.#transient++;
    try {
      return await this.#pool.check();
    } finally {
      if (transient) await this.#endTransient();
    }
  }

  /**
   * Sends each message with recipients and returns how many the server
   * accepted. Every message is validated before anything is sent.
   *
   * @throws BadHeaderError (and other validation errors) always, before
   *   connecting; {@link SendError} unless `failSilently` when a message was
   *   not sent (after trying the rest of the batch).
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    return (await this.sendMessagesDetailed(messages)).sent;
  }

  /**
   * Sends like {@link SmtpEmailBackend.sendMessages} and returns, besides the
   * count, one {@link MessageOutcome} per message given: accepted and refused
   * recipients with the server's replies, and for a message that did not go
   * out whether that is `'permanent'`, `'transient'` or `'ambiguous'`.
   *
   * @example
   * const { sent, outcomes } = await conn.sendMessagesDetailed([m1, m2]);
   * for (const o of outcomes) if (o.rejected.length) console.warn(o.messageId, o.rejected);
   * @throws as `sendMessages`; the {@link SendError} carries the same outcomes.
   */
  async sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
    options: DetailedSendOptions = {},
  ): Promise<SendResult> {
    const outcomes: MessageOutcome[] = [];
    const pending = this.#validate(messages, outcomes, options);
    if (!pending.length) return { sent: 0, outcomes };
    if (options.keepOpen) this.#held = true;
    const transient = !this.#held;
    if (transient) this.#transient++;
    const delivery = this.#deliverAll(pending, outcomes);
    this.#inFlight.add(delivery);
    try {
      await delivery;
    } finally {
      this.#inFlight.delete(delivery);
      if (transient) await this.#endTransient();
    }
    return settle(outcomes, this.failSilently);
  }

  /**
   * Renders every message with recipients (so a bad header sends nothing of
   * the batch) and fills in the outcome of those without.
   */
  #validate(
    messages: Iterable<EmailMessage>,
    outcomes: MessageOutcome[],
    options: DetailedSendOptions,
  ): Pending[] {
    const pending: Pending[] = [];
    let index = 0;
    for (const message of messages) {
      if (!message.recipients().length) {
        outcomes[index] = skippedOutcome(index, message);
        index++;
        continue;
      }
      // Beyond the first few, what is kept is the validated message (its
      // parts and its header block), not its MIME tree.
      const mime = message.message(this.messageSettings);
      if (pending.length >= BUILT_AHEAD) mime.releaseTree();
      const at = index;
      pending.push({
        base: {
          index: index++,
          message,
          messageId: mime.get('Message-ID'),
          envelope: mime.envelope,
        },
        mime,
        beforeEnd: options.beforeDataEnd && (() => options.beforeDataEnd!(at)),
      });
    }
    return pending;
  }

  /** The last send of a backend that is not open closes what it opened. */
  async #endTransient(): Promise<void> {
    if (--this.#transient === 0 && !this.#held) await this.#pool.closeIdle();
  }

  /**
   * Sends every pending message over the pool, filling in its outcome: up to
   * `maxConnections` lanes each take the next unsent message. Once a
   * connection cannot be made, no further message of this batch is started
   * and the rest are `'not-attempted'`.
   */
  async #deliverAll(
    pending: Pending[],
    outcomes: MessageOutcome[],
  ): Promise<void> {
    let unreachable: Error | undefined;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (!unreachable && next < pending.length) {
        const item = pending[next++];
        const outcome = await this.#deliver(item);
        outcomes[item.base.index] = outcome;
        // Release the rendered message now: a batch holds only its inputs.
        item.mime = null;
        if (outcome.status === 'not-attempted') unreachable ??= outcome.error;
      }
    };
    const lanes = Math.min(this.maxConnections, pending.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    for (const item of pending) {
      if (outcomes[item.base.index]) continue;
      outcomes[item.base.index] = notAttemptedOutcome(item.base, unreachable!);
      item.mime = null;
    }
  }

  /**
   * Sends one message over a pooled connection. It is retried once, on a
   * new connection, only when a reused connection failed before any of its
   * bytes were read.
   */
  async #deliver(item: Pending): Promise<MessageOutcome> {
    for (let attempt = 0; ; attempt++) {
      let lease;
      try {
        lease = await this.#pool.acquire(attempt > 0);
      } catch (err) {
        return notAttemptedOutcome(item.base, err as Error);
      }
      let result: SessionAttempt | undefined;
      try {
        await this.#pool.throttle();
        result = await lease.session.send(
          item.base.envelope,
          item.mime!,
          item.beforeEnd,
        );
      } finally {
        this.#pool.release(
          lease.session,
          result !== undefined && (result.ok || !result.lost),
        );
      }
      if (result.ok) return sentOutcome(item.base, result.info);
      if (!lease.fresh && attempt === 0 && result.lost && result.untouched) {
        continue;
      }
      return failedOutcome(item.base, result.error, result.dataEnded);
    }
  }

  /** A connected, TLS-upgraded, logged-in session, or a thrown error and nothing left open. */
  private async connect(): Promise<SmtpSession> {
    this.#tlsFiles ??= Promise.all(
      [this.sslCafile, this.sslCertfile, this.sslKeyfile].map((path) =>
        path ? readFile(path) : undefined,
      ),
    );
    const [ca, cert, key] = await this.#tlsFiles;
    const timeouts = this.#timeouts;
    const password = this.#password;
    return SmtpSession.open({
      options: {
        host: this.host,
        port: this.port,
        secure: this.useSsl,
        requireTLS: this.useTls,
        ignoreTLS: !this.useTls,
        opportunisticTLS: false,
        name: getDnsName(),
        connectionTimeout: timeouts.connection,
        greetingTimeout: timeouts.greeting,
        socketTimeout: timeouts.command,
        tls: { ca, cert, key },
      },
      auth:
        this.username && password
          ? { user: this.username, pass: password }
          : undefined,
    });
  }
}

/**
 * @deprecated Use {@link SmtpEmailBackend}. Kept because the seed project
 * documents `SMTPConnection` (Django's old name for the SMTP backend).
 */
export const SMTPConnection = SmtpEmailBackend;
/** @deprecated Use {@link SmtpEmailBackend}. */
export type SMTPConnection = SmtpEmailBackend;
