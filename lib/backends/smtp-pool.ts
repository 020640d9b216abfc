import type { SmtpSession } from './smtp-session.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

/** How the pool schedules its connections. */
export interface SmtpPoolOptions {
  /** Most connections open (or opening) at once. */
  maxConnections: number;
  /** A connection is closed (QUIT) after this many messages; `Infinity` for never. */
  maxMessagesPerConnection: number;
  /** Milliseconds an idle connection stays open; `Infinity` for ever. */
  idleTimeout: number;
  /** Pool-wide send rate; `undefined` for none. */
  rateLimit?: RateLimit;
  /** Milliseconds to wait for the server's goodbye on QUIT before dropping the socket. */
  quitGrace: number;
}

/** A snapshot of the pool's connections and of the messages waiting for one. */
export interface SmtpPoolStatus {
  /** Connections open or being opened. */
  open: number;
  /** Connections carrying a message (or a check) right now. */
  busy: number;
  /** Open connections with nothing to do. */
  idle: number;
  /** Messages waiting for a connection. */
  waiting: number;
}

/** A connection lent to one message; `fresh` when it was opened for it. */
export interface Lease {
  session: SmtpSession;
  fresh: boolean;
}

/** How long a refused connection caps the pool at the connections that worked (ms). */
const CEILING_MS = 30_000;

interface Waiter {
  fresh: boolean;
  resolve: (lease: Lease) => void;
  reject: (err: unknown) => void;
}

/**
 * Up to `maxConnections` SMTP sessions shared by every send of one backend.
 * A message takes an idle connection (the most recently used, so extra ones
 * go idle and time out), or opens a new one while fewer than
 * `maxConnections` are open, or waits for the first one released (first
 * come, first served). A released connection goes to the next waiter, or
 * idles until `idleTimeout`. Connections the server dropped leave the pool
 * and are replaced on demand.
 * @internal
 */
export class SmtpPool {
  readonly #open: () => Promise<SmtpSession>;
  readonly #options: SmtpPoolOptions;
  readonly #rate: RateLimiter | undefined;
  readonly #idle: SmtpSession[] = [];
  readonly #idleTimers = new Map<SmtpSession, NodeJS.Timeout>();
  readonly #waiters: Waiter[] = [];
  readonly #closing = new Set<Promise<void>>();
  /** Sessions open or opening, busy or idle (not those saying goodbye); the busy ones are those not idle. */
  #count = 0;
  /** After a connection was refused while others were open: how many the server takes, and until when to believe it. */
  #ceiling = Infinity;
  #ceilingUntil = 0;

  constructor(open: () => Promise<SmtpSession>, options: SmtpPoolOptions) {
    this.#open = open;
    this.#options = options;
    this.#rate = options.rateLimit && new RateLimiter(options.rateLimit);
  }

  /** See {@link SmtpPoolStatus}. */
  get status(): SmtpPoolStatus {
    return {
      open: this.#count,
      busy: this.#count - this.#idle.length,
      idle: this.#idle.length,
      waiting: this.#waiters.length,
    };
  }

  /** Waits until the rate limit allows one more message to start. */
  throttle(): Promise<void> {
    return this.#rate?.take() ?? Promise.resolve();
  }

  /**
   * A connection for one message: idle, new, or the next one released. With
   * `fresh`, always a newly opened one (for the one retry after a reused
   * connection proved dead).
   * @throws the connect, TLS or AUTH error when a new connection fails.
   */
  acquire(fresh = false): Promise<Lease> {
    if (!fresh) {
      const session = this.#takeIdle();
      if (session) return Promise.resolve({ session, fresh: false });
    } else if (!this.#hasRoom() && this.#idle.length) {
      const idle = this.#idle.pop()!;
      this.#clearIdleTimer(idle);
      this.#retire(idle, idle.alive);
    }
    if (this.#hasRoom()) return this.#openFor(fresh);
    return new Promise<Lease>((resolve, reject) =>
      this.#waiters.push({ fresh, resolve, reject }),
    );
  }

  /**
   * Gives a connection back: to the next waiter, or to the idle list. It is
   * closed instead when it died, when `reusable` is false, when it carried
   * `maxMessagesPerConnection` messages, or when the next waiter needs a new
   * connection (which then takes its place).
   */
  release(session: SmtpSession, reusable = true): void {
    const keep =
      reusable &&
      session.alive &&
      session.messages < this.#options.maxMessagesPerConnection;
    const waiter = this.#waiters[0];
    if (!keep || waiter?.fresh) {
      this.#retire(session, reusable && session.alive);
      return this.#dispatch();
    }
    if (waiter) {
      this.#waiters.shift();
      return waiter.resolve({ session, fresh: false });
    }
    this.#idle.push(session);
    this.#armIdleTimer(session);
  }

  /**
   * Proves the server answers: RSET over an idle connection, or a new
   * connection when none is idle and there is room for one. When every
   * connection is busy, the traffic itself shows the server answering and
   * nothing is sent.
   * @returns how it checked.
   * @throws when the server does not answer.
   */
  async check(): Promise<'reset' | 'connect' | 'busy'> {
    const idle = this.#takeIdle();
    if (idle) {
      const ok = await idle.check().then(
        () => true,
        () => false,
      );
      this.release(idle, ok);
      if (ok) return 'reset';
      // That connection had gone stale; whether the server answers is
      // for a new one to say.
    }
    if (!this.#hasRoom()) return 'busy';
    const { session } = await this.#openFor(true);
    this.release(session);
    return 'connect';
  }

  /**
   * Closes every idle connection (QUIT) and waits until they, and those
   * already saying goodbye, are closed. Busy connections are left to finish.
   */
  async closeIdle(): Promise<void> {
    for (const session of this.#idle.splice(0)) {
      this.#count--;
      this.#quit(session);
    }
    await Promise.all(this.#closing);
  }

  #takeIdle(): SmtpSession | undefined {
    for (;;) {
      const session = this.#idle.pop();
      if (!session) return undefined;
      this.#clearIdleTimer(session);
      if (session.alive) return session;
      this.#count--;
    }
  }

  /**
   * Whether another connection may open: fewer than `maxConnections` open or
   * closing, and fewer than the server accepted lately (see `#openFor`).
   */
  #hasRoom(): boolean {
    const limit =
      Date.now() < this.#ceilingUntil
        ? this.#ceiling
        : this.#options.maxConnections;
    return this.#count + this.#closing.size < limit;
  }

  /**
   * Opens a connection for one message. When that fails while other
   * connections are open, the server is likely refusing more connections
   * (a provider's limit below `maxConnections`): the message waits for one
   * of those instead, and no more are opened for a while. When none is open,
   * the server is unreachable for now: the messages waiting fail at once
   * rather than each trying again in turn.
   */
  async #openFor(fresh: boolean): Promise<Lease> {
    this.#count++;
    let session: SmtpSession;
    try {
      session = await this.#open();
    } catch (err) {
      this.#count--;
      if (this.#count === 0) {
        for (const waiter of this.#waiters.splice(0)) waiter.reject(err);
        throw err;
      }
      this.#ceiling = this.#count;
      this.#ceilingUntil = Date.now() + CEILING_MS;
      if (fresh) throw err;
      const idle = this.#takeIdle();
      if (idle) return { session: idle, fresh: false };
      return new Promise<Lease>((resolve, reject) =>
        this.#waiters.unshift({ fresh, resolve, reject }),
      );
    }
    session.onClose(() => this.#dropIdle(session));
    return { session, fresh: true };
  }

  /** Opens connections for waiters while there is room. */
  #dispatch(): void {
    while (this.#waiters.length && this.#hasRoom()) {
      const waiter = this.#waiters.shift()!;
      this.#openFor(waiter.fresh).then(waiter.resolve, waiter.reject);
    }
  }

  /** A connection that ended while idle leaves the pool. */
  #dropIdle(session: SmtpSession): void {
    if (this.#removeIdle(session)) this.#dispatch();
  }

  /** Takes `session` out of the idle list and the pool; `false` when it was not idle. */
  #removeIdle(session: SmtpSession): boolean {
    const at = this.#idle.indexOf(session);
    if (at < 0) return false;
    this.#idle.splice(at, 1);
    this.#clearIdleTimer(session);
    this.#count--;
    return true;
  }

  /** Takes a busy or idle connection out of the pool: QUIT when `polite`, else drop. */
  #retire(session: SmtpSession, polite: boolean): void {
    this.#count--;
    if (polite) this.#quit(session);
    else session.close();
  }

  #quit(session: SmtpSession): void {
    this.#clearIdleTimer(session);
    const done = session.quit(this.#options.quitGrace).finally(() => {
      this.#closing.delete(done);
      this.#dispatch();
    });
    this.#closing.add(done);
  }

  #armIdleTimer(session: SmtpSession): void {
    const ms = this.#options.idleTimeout;
    if (!Number.isFinite(ms)) return;
    const timer = setTimeout(() => {
      if (this.#removeIdle(session)) this.#quit(session);
    }, ms);
    timer.unref();
    this.#idleTimers.set(session, timer);
  }

  #clearIdleTimer(session: SmtpSession): void {
    const timer = this.#idleTimers.get(session);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#idleTimers.delete(session);
  }
}
