/** One entry of nodemailer's transaction log. */
interface LogEntry {
  tnx?: string;
}

const ignore = (): void => undefined;

/**
 * Notices a server reply that arrives out of turn, through nodemailer's
 * public transaction log (`logger` + `transactionLog`): SMTP allows exactly
 * one reply per command the client wrote, plus the greeting, plus one per
 * message data ended by `.` (nodemailer logs each command as `client`, each
 * reply as `server`, and the end of each message's data as `message`).
 * A reply beyond that count (an unsolicited `250` after the final `.`, or a
 * `250` before it) means the server and nodemailer no longer agree on which
 * reply answers what, so the connection must not be trusted again.
 * @internal
 */
export class ReplyCounter {
  /** Replies the client has asked for so far, the greeting included. */
  #expected = 1;
  #received = 0;
  #seq = 0;
  #surplus: { reply: string; seq: number } | undefined;
  #stray: string | undefined;

  /** The logger to give nodemailer's `SMTPConnection`, with `transactionLog: true`. */
  readonly logger = {
    trace: ignore,
    debug: (entry: LogEntry, message?: unknown) => this.#log(entry, message),
    info: (entry: LogEntry, message?: unknown) => this.#log(entry, message),
    warn: ignore,
    error: ignore,
    fatal: ignore,
  };

  /** The first reply that came out of turn, if one did. */
  get stray(): string | undefined {
    if (this.#surplus) {
      this.#stray ??= this.#surplus.reply;
      this.#surplus = undefined;
    }
    return this.#stray;
  }

  #log(entry: LogEntry, message: unknown): void {
    const seq = ++this.#seq;
    switch (entry.tnx) {
      case 'client':
      case 'message':
        this.#expected++;
        return;
      case 'server':
        if (++this.#received > this.#expected && !this.#surplus) {
          this.#surplus = { reply: String(message), seq };
        }
        return;
      case 'network':
        // nodemailer logs an unterminated remainder as a reply when the
        // socket closes, just before 'Connection closed': not a reply.
        if (this.#surplus?.seq === seq - 1 && message === 'Connection closed') {
          this.#surplus = undefined;
        }
        return;
    }
  }
}
