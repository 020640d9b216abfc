/** A send rate: at most `messages` started in any `perSeconds` seconds. */
export interface RateLimit {
  /** Messages allowed per window. */
  messages: number;
  /**
   * Length of the window in seconds.
   * @default 1
   */
  perSeconds?: number;
}

/**
 * A sliding-window limit shared by every connection of a pool: each caller
 * reserves the earliest start time at which the last `messages` starts,
 * its own included, fit in one window, and waits until then. Reservations are
 * handed out in call order, so the limit holds however many connections send.
 * @internal
 */
export class RateLimiter {
  readonly #messages: number;
  readonly #windowMs: number;
  /** Start times reserved, ascending; only the last `messages` matter. */
  readonly #starts: number[] = [];

  constructor(limit: RateLimit) {
    this.#messages = limit.messages;
    this.#windowMs = (limit.perSeconds ?? 1) * 1000;
  }

  /** Resolves when one more message may start. */
  take(): Promise<void> {
    const now = Date.now();
    const starts = this.#starts;
    const start =
      starts.length < this.#messages
        ? now
        : Math.max(
            now,
            starts[starts.length - this.#messages] + this.#windowMs,
          );
    starts.push(start);
    if (starts.length > this.#messages) starts.shift();
    const wait = start - now;
    return wait > 0
      ? new Promise((resolve) => setTimeout(resolve, wait))
      : Promise.resolve();
  }
}
