import type { Readable } from 'node:stream';
import NodemailerConnection, {
  type SMTPConnectionOptions,
} from 'nodemailer/lib/smtp-connection';
import { holdEndOfData } from '../delivery/hold-end-of-data.js';
import type { SmtpError, SmtpInfo } from '../delivery/outcomes.js';
import type { Envelope, MimeMessage } from '../message/mime-message.js';
import { ReplyCounter } from './smtp-reply-counter.js';

/** Error codes after which a connection is unusable. */
const CONNECTION_LOST = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EPROTOCOL',
  // The message stream failed mid-DATA: the connection is unusable.
  'ESTREAM',
]);

/** Whether `err` means the connection is gone (or must not be trusted again). */
export function isConnectionLost(err: SmtpError): boolean {
  return CONNECTION_LOST.has(err.code ?? '') || err.responseCode === 421;
}

/** How one message went over one session. */
export type SessionAttempt =
  | { ok: true; info: SmtpInfo }
  | {
      ok: false;
      error: SmtpError;
      /** The connection is gone; the session is closed. */
      lost: boolean;
      /** Not one byte of the message was read from its stream. */
      untouched: boolean;
      /** The whole message, final `.` included, was handed to the connection. */
      dataEnded: boolean;
    };

/** What {@link SmtpSession.open} needs: nodemailer's options and the login. */
export interface SmtpSessionConfig {
  options: SMTPConnectionOptions;
  auth?: { user: string; pass: string };
}

/** Error of a message whose reply came out of turn (see {@link ReplyCounter}). */
function outOfTurn(reply: string): SmtpError {
  return Object.assign(
    new Error(
      `The server sent a reply out of turn ("${reply.slice(0, 80)}"); ` +
        'the connection was dropped and the message may or may not have been accepted.',
    ),
    { code: 'EPROTOCOL', command: 'DATA' },
  );
}

/**
 * A reply to the final `.` must be 2xx, 4xx or 5xx; a 3xx there (a `354`) is
 * the reply to an earlier `DATA`, so the replies are one behind.
 */
function replyOutOfTurn(err: SmtpError): string | undefined {
  const code = err.responseCode;
  return err.code === 'EMESSAGE' && typeof code === 'number' && code < 400
    ? err.response
    : undefined;
}

/**
 * One SMTP session on nodemailer's `SMTPConnection`: connected, upgraded to
 * TLS and logged in by {@link SmtpSession.open}, then one message at a time.
 * nodemailer speaks SMTP; this class only turns its callbacks into promises
 * and says what a failure means for the message and for the connection.
 * @internal
 */
export class SmtpSession {
  /** Messages attempted over this session. */
  messages = 0;
  readonly #connection: NodemailerConnection;
  readonly #replies: ReplyCounter;
  #onClose: Array<() => void> = [];
  #closed = false;

  private constructor(connection: NodemailerConnection, replies: ReplyCounter) {
    this.#connection = connection;
    this.#replies = replies;
    // Failures arrive through the callbacks; an idle session that dies is
    // noticed through 'end' (and `alive`).
    connection.on('error', () => undefined);
    connection.once('end', () => this.#ended());
  }

  /**
   * Connects, upgrades to TLS and logs in as configured.
   * @throws the connection, TLS or AUTH error, with nothing left open.
   */
  static async open(config: SmtpSessionConfig): Promise<SmtpSession> {
    const replies = new ReplyCounter();
    const connection = new NodemailerConnection({
      ...config.options,
      logger: replies.logger,
      transactionLog: true,
    });
    connection.on('error', () => undefined);
    try {
      await step(connection, (done) => connection.connect(done));
      const auth = config.auth;
      if (auth) {
        await step(connection, (done) =>
          connection.login(auth, (err) => done(err ?? undefined)),
        );
      }
    } catch (err) {
      // CVE-2026-7666: never keep a half-open (pre-TLS) connection around.
      connection.close();
      throw err;
    }
    return new SmtpSession(connection, replies);
  }

  /** Whether the connection is still there (as far as this process knows). */
  get alive(): boolean {
    return !this.#closed && !this.#connection.destroyed;
  }

  /** Runs `listener` once, when the connection ends for whatever reason. */
  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  /**
   * Sends one message; `beforeEnd` runs once its data was written, and the
   * final `.` waits for it (see `DetailedSendOptions.beforeDataEnd`). Never
   * throws: the result says whether it went out
   * and, if not, what that means (see {@link SessionAttempt}). After a
   * refusal the session is reset (RSET) for the next message, or closed when
   * that fails; after a reply out of turn it is closed and the message
   * counts as possibly delivered.
   */
  async send(
    envelope: Envelope,
    mime: MimeMessage,
    beforeEnd?: () => Promise<void> | void,
  ): Promise<SessionAttempt> {
    if (this.messages++ > 0) {
      // Lets nodemailer handle any reply already received (an extra one ends
      // the session) before this message's commands go out.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!this.alive || this.#replies.stray !== undefined) {
      // Dropped, or desynchronised while idle: not one byte of this message went out.
      this.close();
      return {
        ok: false,
        error: Object.assign(new Error('Connection closed unexpectedly'), {
          code: 'ECONNECTION',
        }),
        lost: true,
        untouched: true,
        dataEnded: false,
      };
    }
    const stream = holdEndOfData(mime.createSmtpStream(), beforeEnd);
    let result: SessionAttempt;
    try {
      const info = await send(this.#connection, envelope, stream);
      const stray = this.#replies.stray;
      if (stray === undefined) return { ok: true, info };
      result = this.#failed(outOfTurn(stray), stream, true);
    } catch (caught) {
      const err = caught as SmtpError;
      const stray = this.#replies.stray ?? replyOutOfTurn(err);
      result =
        stray === undefined
          ? this.#failed(err, stream, false)
          : this.#failed(outOfTurn(stray), stream, true);
    }
    if (!result.ok && !result.lost) await this.#reset();
    return result;
  }

  /** RSET, so the next message starts a clean transaction; closes the session when it fails. */
  #reset(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (!this.alive) return resolve(false);
      this.#connection.reset((err) => {
        if (err) this.close();
        resolve(!err);
      });
    });
  }

  /**
   * Proves the server answers: RSET (nodemailer's `SMTPConnection` has no
   * NOOP; RSET is as harmless between messages).
   * @throws when the server does not answer 2xx.
   */
  async check(): Promise<void> {
    if (!(await this.#reset())) {
      throw new Error(
        `SMTP server ${this.#connection.host}:${this.#connection.port} did not answer RSET`,
      );
    }
  }

  /** QUIT, falling back to closing the socket when no goodbye comes within `graceMs`. */
  async quit(graceMs: number): Promise<void> {
    if (!this.alive) return this.close();
    await new Promise<void>((resolve) => {
      const fallback = setTimeout(() => this.close(), graceMs);
      this.onClose(() => {
        clearTimeout(fallback);
        resolve();
      });
      try {
        this.#connection.quit();
      } catch {
        this.close();
      }
    });
  }

  /** Closes the socket at once. */
  close(): void {
    this.#connection.close();
    // nodemailer emits 'end' on close; this covers a connection it had already torn down.
    this.#ended();
  }

  #failed(
    error: SmtpError,
    stream: Readable,
    outOfTurnReply: boolean,
  ): SessionAttempt {
    const lost = outOfTurnReply || isConnectionLost(error);
    if (lost) this.close();
    return {
      ok: false,
      error,
      lost,
      untouched: !outOfTurnReply && !stream.readableDidRead,
      dataEnded: outOfTurnReply || stream.readableEnded,
    };
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#onClose;
    this.#onClose = [];
    for (const listener of listeners) listener();
  }
}

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
