import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import NodemailerConnection, {
  type SMTPConnectionOptions,
} from 'nodemailer/lib/smtp-connection';
import type { DetailedSendOptions } from '../delivery/detailed-send.js';
import { holdEndOfData } from '../delivery/hold-end-of-data.js';
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
  type SmtpError,
  type SmtpInfo,
} from '../delivery/outcomes.js';
import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import { SendError } from '../errors/send.error.js';
import type { EmailMessage } from '../message/email-message.js';
import { getDnsName } from '../message/headers.js';
import { SerialQueue } from '../utils/serial-queue.js';
import type { Envelope, MimeMessage } from '../message/mime-message.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './base.backend.js';

/** Options of {@link SmtpEmailBackend}, Django's `EMAIL_*` settings. */
export interface SmtpEmailBackendOptions extends BaseEmailBackendOptions {
  /**
   * SMTP server host name or IP address.
   * @default 'localhost'
   */
  host?: string;
  /**
   * SMTP server port. Defaults as in Django 6.1's `MAILERS`: 465 with
   * `useSsl`, 587 with `useTls`, else 25.
   * @default 25
   */
  port?: number;
  /**
   * User name for SMTP AUTH. The backend logs in only when both `username`
   * and `password` are non-empty.
   * @default undefined
   */
  username?: string;
  /**
   * Password for SMTP AUTH. Never logged, and not kept on an enumerable field.
   * @default undefined
   */
  password?: string;
  /**
   * Require STARTTLS (explicit TLS, usually port 587). A server that does not
   * offer it is an error, and nothing (no credentials, no `MAIL FROM`) is sent
   * in plain text. Mutually exclusive with `useSsl`.
   *
   * When neither `useTls` nor `useSsl` is set the connection stays plain text
   * and STARTTLS is not tried even if offered, as in Django.
   * @default false
   */
  useTls?: boolean;
  /**
   * Implicit TLS from the first byte (SMTPS, usually port 465). Mutually
   * exclusive with `useTls`.
   * @default false
   */
  useSsl?: boolean;
  /**
   * Seconds to wait for the connection, the greeting, and each server reply;
   * also how long an open connection may sit idle before it is dropped (the
   * next send then reconnects). `null` keeps nodemailer's defaults
   * (2 min to connect, 30 s for the greeting, 10 min of inactivity).
   * @default null
   */
  timeout?: number | null;
  /**
   * Path of a PEM client certificate, presented when TLS is in use.
   * @default undefined
   */
  sslCertfile?: string;
  /**
   * Path of the PEM private key of `sslCertfile`.
   * @default undefined
   */
  sslKeyfile?: string;
  /**
   * Path of a PEM CA bundle to trust instead of the system roots, for a
   * development server with a private CA or self-signed certificate.
   * Certificates and host names are always verified.
   * @default undefined
   */
  sslCafile?: string;
  /**
   * How many connections one `sendMessages` call may use at once. With more
   * than 1, a batch opens up to `min(concurrency, messages)` connections (the
   * extra ones only once the first is up) and each takes the next unsent
   * message in turn, so at most `concurrency` messages are in flight; the
   * outcomes keep the order of the messages given. The extra connections live
   * as long as the first one: closed at the end of the call when the call
   * opened the backend itself, otherwise kept for the next call until
   * `close()` (the module's shared mailers: until the application closes).
   * The default, 1, sends a whole batch over exactly one connection.
   * @default 1
   */
  concurrency?: number;
}

/** A message waiting to be sent; `mime` is dropped once it has been. */
interface Pending {
  base: OutcomeBase;
  mime: MimeMessage | null;
  /** `DetailedSendOptions.beforeDataEnd` for this message. */
  beforeEnd?: () => Promise<void> | void;
}

/**
 * One SMTP connection slot. `untouched` is the connection made within the
 * current call and not used yet (a dead one is never a reused connection).
 */
interface Slot {
  connection: NodemailerConnection | null;
  untouched: NodemailerConnection | null;
}

const BOTH_TLS_MODES =
  'SmtpEmailBackend: useTls and useSsl are mutually exclusive, so set only one of them ' +
  '(useTls for STARTTLS, usually port 587; useSsl for implicit TLS, usually port 465).';

/**
 * How many messages of a batch keep the MIME tree built while validating
 * them; the others build theirs when they go out, so a batch of any size
 * holds at most this many trees.
 */
const BUILT_AHEAD = 16;

/** Error codes after which the connection is unusable. */
const CONNECTION_LOST = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EPROTOCOL',
  // The message stream failed mid-DATA: the connection is unusable.
  'ESTREAM',
]);

/**
 * Sends mail over SMTP, Django's `django.core.mail.backends.smtp.EmailBackend`,
 * on nodemailer's low-level `SMTPConnection`: one open connection carries any
 * number of messages.
 *
 * - `open()` connects (TLS, AUTH) and returns `true`, or `false` when already
 *   open. Any failure on the way drops the half-open connection.
 * - `sendMessages()` on a closed backend opens a connection and closes it at
 *   the end; on an open one it leaves it open, and reconnects first if the
 *   server dropped it while idle.
 * - Calls on one instance are serialized: concurrent sends never interleave
 *   on the socket, and concurrent `open()` calls share one connection. A
 *   batch uses that one connection unless `concurrency` is above 1; then it
 *   also opens up to `concurrency - 1` more (see
 *   {@link SmtpEmailBackendOptions.concurrency}).
 * - One failed message does not stop the batch: the others are still sent,
 *   on a new connection if the server dropped this one (Django stops, or with
 *   `failSilently` fails every later message). Then, unless `failSilently`,
 *   a {@link SendError} lists what happened to every message.
 * - A message is never sent twice by the backend: it is retried (once, on a
 *   new connection) only when a reused connection turned out dead before any
 *   byte of the message was read. A connection lost after the final `.` makes
 *   the message `'ambiguous'` (the server may have it), never a resend.
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
 * await conn.sendMessages([m1, m2]); // one connection for both
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
  /** See {@link SmtpEmailBackendOptions.timeout}. */
  readonly timeout: number | null;
  /** See {@link SmtpEmailBackendOptions.sslCertfile}. */
  readonly sslCertfile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.sslKeyfile}. */
  readonly sslKeyfile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.sslCafile}. */
  readonly sslCafile: string | undefined;
  /** See {@link SmtpEmailBackendOptions.concurrency}. */
  readonly concurrency: number;

  readonly #password: string | undefined;
  /** The connection `open()` opens and every send uses first. */
  readonly #main: Slot = { connection: null, untouched: null };
  /** The extra connections of `concurrency` > 1, kept as long as `#main`. */
  #extra: Slot[] = [];
  /** Calls on one instance run one after another, never interleaved on a socket. */
  readonly #queue = new SerialQueue();
  /** How many times `close()` was called; a `keepOpen` send queued before a close does not reopen for good. */
  #closes = 0;
  /** CA, certificate and key, read once on the first connect. */
  #tlsFiles?: Promise<Array<Buffer | undefined>>;

  /** @throws ImproperlyConfiguredError when both `useTls` and `useSsl` are set. */
  constructor(options: SmtpEmailBackendOptions = {}) {
    super(options);
    if (options.useTls && options.useSsl) {
      throw new ImproperlyConfiguredError(BOTH_TLS_MODES);
    }
    const { timeout = null, concurrency = 1 } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ImproperlyConfiguredError(
        `SmtpEmailBackend: concurrency must be a whole number of connections, 1 or more, got ${concurrency}.`,
      );
    }
    if (timeout !== null && !(timeout > 0)) {
      throw new ImproperlyConfiguredError(
        `SmtpEmailBackend: timeout must be a positive number of seconds or null, got ${timeout}.`,
      );
    }
    this.useTls = options.useTls ?? false;
    this.useSsl = options.useSsl ?? false;
    this.host = options.host || 'localhost';
    this.port = options.port || (this.useSsl ? 465 : this.useTls ? 587 : 25);
    this.username = options.username;
    this.#password = options.password;
    this.timeout = timeout;
    this.sslCertfile = options.sslCertfile;
    this.sslKeyfile = options.sslKeyfile;
    this.sslCafile = options.sslCafile;
    this.concurrency = concurrency;
  }

  /**
   * Whether the connection is open (as far as this process knows: a server
   * that dropped an idle connection is noticed at the next send, which
   * reconnects). A synchronous check, so a caller can skip `open()`.
   */
  get isOpen(): boolean {
    const connection = this.#main.connection;
    return connection !== null && !connection.destroyed;
  }

  /**
   * Connects, upgrades to TLS and logs in as configured.
   *
   * @returns `true` when it opened a connection, `false` when one was already
   *   open, `undefined` when opening failed and `failSilently` is set.
   * @throws the connection, TLS or authentication error otherwise.
   */
  open(): Promise<boolean | undefined> {
    return this.#queue.run(() => this.openNow());
  }

  /**
   * Says goodbye (QUIT) and closes the connection. Harmless when nothing is
   * open or the server is already gone.
   */
  close(): Promise<void> {
    this.#closes++;
    return this.#queue.run(() => this.closeNow());
  }

  /**
   * Sends each message with recipients, in order, and returns how many the
   * server accepted. Every message is validated before anything is sent.
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
    const pending: Pending[] = [];
    let index = 0;
    for (const message of messages) {
      if (!message.recipients().length) {
        outcomes[index] = skippedOutcome(index, message);
        index++;
        continue;
      }
      // Validates now, so a bad header sends nothing of the batch. Beyond the
      // first few, what is kept is the validated message (its parts and its
      // header block), not its MIME tree; each is released once it went out.
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
    if (!pending.length) return { sent: 0, outcomes };
    const closes = this.#closes;
    await this.#queue.run(() =>
      this.deliverAll(
        pending,
        outcomes,
        Boolean(options.keepOpen) && closes === this.#closes,
      ),
    );
    const sent = outcomes.filter((o) => o.sent).length;
    const result = { sent, outcomes };
    if (!this.failSilently && outcomes.some((o) => o.error)) {
      throw new SendError(result);
    }
    return result;
  }

  /**
   * Sends every pending message, filling in its outcome: over the main
   * connection, and with `concurrency` > 1 over extra connections that each
   * take the next unsent message. Once a connection cannot be made (again),
   * no further message is started and the rest are `'not-attempted'`.
   */
  private async deliverAll(
    pending: Pending[],
    outcomes: MessageOutcome[],
    keepOpen: boolean,
  ): Promise<void> {
    const main = this.#main;
    const wasOpen = main.connection !== null;
    let unreachable: Error | undefined;
    let next = 0;
    const lane = async (slot: Slot): Promise<void> => {
      while (!unreachable && next < pending.length) {
        const item = pending[next++];
        const outcome = await this.deliver(slot, item);
        outcomes[item.base.index] = outcome;
        // Release the rendered message now: a batch holds only its inputs.
        item.mime = null;
        if (outcome.status === 'not-attempted') unreachable ??= outcome.error;
      }
    };
    /** An extra connection joins once it is up; one that cannot connect leaves the batch to the others. */
    const extraLane = async (slot: Slot): Promise<void> => {
      if (!slot.connection || slot.connection.destroyed) {
        slot.connection = null;
        try {
          slot.connection = slot.untouched = await this.connect();
        } catch {
          return;
        }
      }
      await lane(slot);
    };
    if (!wasOpen) {
      try {
        main.connection = main.untouched = await this.connect();
      } catch (err) {
        unreachable = err as Error;
      }
    }
    try {
      const lanes = [lane(main)];
      const extra = unreachable
        ? 0
        : Math.min(this.concurrency, pending.length) - 1;
      for (let i = 0; i < extra; i++) {
        this.#extra[i] ??= { connection: null, untouched: null };
        lanes.push(extraLane(this.#extra[i]));
      }
      // Every lane settles before the connections are closed.
      const failed = (await Promise.allSettled(lanes)).find(
        (lane) => lane.status === 'rejected',
      );
      if (failed) throw failed.reason;
    } finally {
      for (const item of pending) {
        if (outcomes[item.base.index]) continue;
        unreachable ??= new Error('Not attempted');
        outcomes[item.base.index] = notAttemptedOutcome(item.base, unreachable);
        item.mime = null;
      }
      if (!wasOpen && !keepOpen) await this.closeNow();
    }
  }

  private async openNow(): Promise<boolean | undefined> {
    const main = this.#main;
    if (main.connection && !main.connection.destroyed) return false;
    main.connection = null;
    try {
      main.connection = await this.connect();
      return true;
    } catch (err) {
      if (this.failSilently) return undefined;
      throw err;
    }
  }

  /** Closes the main connection and every extra one. */
  private async closeNow(): Promise<void> {
    const slots = [this.#main, ...this.#extra];
    this.#extra = [];
    await Promise.all(
      slots.map((slot) => {
        const connection = slot.connection;
        slot.connection = slot.untouched = null;
        return connection ? this.quit(connection) : undefined;
      }),
    );
  }

  /** QUIT, falling back to closing the socket when no goodbye comes. */
  private async quit(connection: NodemailerConnection): Promise<void> {
    if (connection.destroyed) return;
    await new Promise<void>((resolve) => {
      const fallback = setTimeout(
        () => connection.close(),
        Math.min((this.timeout ?? 5) * 1000, 5000),
      );
      connection.once('end', () => {
        clearTimeout(fallback);
        resolve();
      });
      try {
        connection.quit();
      } catch {
        connection.close();
      }
    });
  }

  /**
   * Sends one message over the slot's connection, reconnecting first when
   * the server dropped it. A message is retried once, on a new connection,
   * only when a reused connection failed before any of its bytes were read.
   */
  private async deliver(slot: Slot, item: Pending): Promise<MessageOutcome> {
    for (let attempt = 0; ; attempt++) {
      let connection = slot.connection;
      if (!connection || connection.destroyed) {
        slot.connection = null;
        try {
          connection = slot.connection = slot.untouched = await this.connect();
        } catch (err) {
          return notAttemptedOutcome(item.base, err as Error);
        }
      }
      const reused = connection !== slot.untouched;
      slot.untouched = null;
      const stream = holdEndOfData(
        item.mime!.createSmtpStream(),
        item.beforeEnd,
      );
      try {
        const info = await send(connection, item.base.envelope, stream);
        return sentOutcome(item.base, info);
      } catch (caught) {
        const err = caught as SmtpError;
        const lost =
          CONNECTION_LOST.has(err.code ?? '') || err.responseCode === 421;
        if (lost) connection.close();
        if (reused && attempt === 0 && lost && !stream.readableDidRead) {
          continue;
        }
        if (!connection.destroyed) await reset(connection);
        return failedOutcome(item.base, err, stream.readableEnded);
      }
    }
  }

  /** A connected, TLS-upgraded, logged-in connection, or a thrown error and nothing left open. */
  private async connect(): Promise<NodemailerConnection> {
    const connection = new NodemailerConnection(await this.connectionOptions());
    // Failures arrive through the callbacks below; a connection that dies
    // while idle is noticed through `destroyed` before the next send.
    connection.on('error', () => undefined);
    try {
      await step(connection, (done) => connection.connect(done));
      const password = this.#password;
      if (this.username && password) {
        await step(connection, (done) =>
          connection.login({ user: this.username, pass: password }, (err) =>
            done(err ?? undefined),
          ),
        );
      }
      return connection;
    } catch (err) {
      // CVE-2026-7666: never keep a half-open (pre-TLS) connection around.
      connection.close();
      throw err;
    }
  }

  private async connectionOptions(): Promise<SMTPConnectionOptions> {
    const ms = this.timeout === null ? undefined : this.timeout * 1000;
    this.#tlsFiles ??= Promise.all(
      [this.sslCafile, this.sslCertfile, this.sslKeyfile].map((path) =>
        path ? readFile(path) : undefined,
      ),
    );
    const [ca, cert, key] = await this.#tlsFiles;
    return {
      host: this.host,
      port: this.port,
      secure: this.useSsl,
      requireTLS: this.useTls,
      ignoreTLS: !this.useTls,
      opportunisticTLS: false,
      name: getDnsName(),
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
      logger: false,
      tls: { ca, cert, key },
    };
  }
}

/**
 * @deprecated Use {@link SmtpEmailBackend}. Kept because the seed project
 * documents `SMTPConnection` (Django's old name for the SMTP backend).
 */
export const SMTPConnection = SmtpEmailBackend;
/** @deprecated Use {@link SmtpEmailBackend}. */
export type SMTPConnection = SmtpEmailBackend;

/** Runs one callback-style step, failing too if the connection errors or ends meanwhile. */
function step(
  connection: NodemailerConnection,
  run: (done: (err?: Error) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => finish(err);
    const onEnd = () => finish(new Error('Connection closed unexpectedly'));
    const finish = (err?: Error) => {
      connection.off('error', onError);
      connection.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    connection.on('error', onError);
    connection.on('end', onEnd);
    run(finish);
  });
}

function send(
  connection: NodemailerConnection,
  { from, to }: Envelope,
  stream: Readable,
): Promise<SmtpInfo> {
  return new Promise<SmtpInfo>((resolve, reject) => {
    connection.send({ from, to, use8BitMime: true }, stream, (err, info) =>
      err ? reject(err) : resolve(info as SmtpInfo),
    );
  });
}

/** RSET after a refused message so the next one starts a clean transaction. */
function reset(connection: NodemailerConnection): Promise<void> {
  return new Promise<void>((resolve) => {
    connection.reset((err) => {
      if (err) connection.close();
      resolve();
    });
  });
}
