import { Logger } from '@nestjs/common';
import {
  settle,
  validateAll,
  type DetailedSendOptions,
} from '../../delivery/detailed-send.js';
import type {
  MessageOutcome,
  SendResult,
} from '../../delivery/message-outcome.js';
import { skippedOutcome } from '../../delivery/outcomes.js';
import { ImproperlyConfiguredError } from '../../errors/improperly-configured.error.js';
import type { EmailMessage } from '../../message/email-message.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from '../base.backend.js';
import type { MailerContext } from '../mailer-context.js';
import { describeAttempt, reasonOf } from './attempt-report.js';
import { bindMembers } from './bind-members.js';
import { sendThrough } from './send-through.js';

/** Options of {@link FailoverEmailBackend} and {@link RoundRobinEmailBackend}. */
export interface FailoverEmailBackendOptions extends BaseEmailBackendOptions {
  /**
   * Aliases of the mailers to send through, in the order they are tried:
   * keys of `MailModule`'s `mailers`, or `'default'`.
   * @example ['primary', 'backup']
   */
  mailers: string[];
  /**
   * Milliseconds a mailer is skipped after a transient or ambiguous failure;
   * after that it is tried again. `0` never skips a mailer.
   * @default 60_000
   */
  cooldown?: number;
}

/** The configuration `failover()` and `roundRobin()` return. */
export interface CompositeMailerConfig {
  /** The composite backend class. */
  backend: typeof FailoverEmailBackend;
  /** Its options. */
  options: FailoverEmailBackendOptions;
}

/** Default of {@link FailoverEmailBackendOptions.cooldown}. */
export const DEFAULT_FAILOVER_COOLDOWN = 60_000;

/**
 * A mailer that sends through other mailers of the module, in order, moving
 * on to the next one only when that cannot send anything twice:
 *
 * - a message that failed `'transient'` (4xx, refused or dropped connection
 *   before its final `.`, TLS or login failure) goes to the next mailer;
 * - a `'permanent'` refusal (5xx) stays failed: another server would refuse
 *   it too;
 * - an `'ambiguous'` message (connection lost after its final `.`) is never
 *   sent elsewhere: the first server may deliver it.
 *
 * Only the messages that failed transiently move on. A mailer with a
 * transient or ambiguous failure is skipped for `cooldown` ms, then tried
 * again; when every mailer is cooling down, all are tried anyway. Each
 * attempt is logged (context `'MailFailover'`) with the mailer's alias and
 * the reason. Bad headers and addresses throw before anything is sent.
 *
 * Create it with {@link failover}; it only works as a mailer of `MailModule`,
 * which gives it its members.
 */
export class FailoverEmailBackend extends BaseEmailBackend {
  /** See {@link FailoverEmailBackendOptions.mailers}. */
  readonly mailers: readonly string[];
  /** See {@link FailoverEmailBackendOptions.cooldown}. */
  readonly cooldown: number;
  /** How it is named in errors and logs. */
  protected readonly kind: string = 'Failover';

  readonly #logger = new Logger('MailFailover');
  #members: Map<string, BaseEmailBackend> | null = null;
  /** Alias → until when it is skipped (epoch ms) and why. */
  readonly #cooling = new Map<string, { until: number; reason: string }>();

  /** @throws ImproperlyConfiguredError when `mailers` is empty or repeats an alias, or `cooldown` is negative. */
  constructor(options: FailoverEmailBackendOptions, context?: MailerContext) {
    super(options, context);
    const { mailers, cooldown = DEFAULT_FAILOVER_COOLDOWN } = options ?? {};
    const name = new.target.name;
    if (
      !Array.isArray(mailers) ||
      !mailers.length ||
      mailers.some((alias) => typeof alias !== 'string' || !alias)
    ) {
      throw new ImproperlyConfiguredError(
        `${name}: "mailers" must list the aliases of the mailers to use, e.g. failover(['primary', 'backup']).`,
      );
    }
    const repeated = mailers.find((alias, i) => mailers.indexOf(alias) !== i);
    if (repeated !== undefined) {
      throw new ImproperlyConfiguredError(
        `${name}: the mailer '${repeated}' is listed twice in "mailers"; list each mailer once.`,
      );
    }
    if (
      typeof cooldown !== 'number' ||
      !(cooldown >= 0 && cooldown < Infinity)
    ) {
      throw new ImproperlyConfiguredError(
        `${name}: cooldown must be a number of milliseconds >= 0, got ${String(cooldown)}.`,
      );
    }
    this.mailers = [...mailers];
    this.cooldown = cooldown;
  }

  /**
   * Resolves the member mailers (called by `MailModule` at startup).
   * @throws ImproperlyConfiguredError for an unknown alias, or a mailer that
   *   would send through itself.
   */
  bindMailers(lookup: (alias: string) => BaseEmailBackend): void {
    this.#members = bindMembers(this, lookup);
  }

  /** Nothing to open: each member opens its own connection when used. */
  async open(): Promise<boolean> {
    return false;
  }

  /** Nothing to close: the members belong to the module, which closes them. */
  async close(): Promise<void> {}

  /** Sends as {@link FailoverEmailBackend.sendMessagesDetailed} and returns the count. */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    return (await this.sendMessagesDetailed(messages)).sent;
  }

  /**
   * Sends each message with recipients through the first mailer that takes
   * it, and returns the count plus, per message, the outcome of its last
   * attempt.
   *
   * @throws BadHeaderError (and other validation errors) before anything is
   *   sent; {@link SendError} unless `failSilently` when a message finally
   *   did not go out.
   */
  async sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
    options: DetailedSendOptions = {},
  ): Promise<SendResult> {
    const members = this.members();
    const list = [...messages];
    const outcomes: MessageOutcome[] = [];
    let pending: number[] = [];
    // Validate all first: a member without its own up-front check could
    // otherwise send part of the batch before a bad message throws.
    const validated = validateAll(list, this.messageSettings);
    validated.forEach((known, index) => {
      if (known) pending.push(index);
      else outcomes[index] = skippedOutcome(index, list[index]);
    });
    const plan = pending.length ? this.plan() : [];
    for (const [step, alias] of plan.entries()) {
      if (!pending.length) break;
      const result = await sendThrough(
        members.get(alias)!,
        pending.map((index) => list[index]),
        pending.map((index) => validated[index]!),
        memberOptions(options, pending),
      );
      const tried = pending;
      pending = [];
      result.outcomes.forEach((outcome, k) => {
        const index = tried[k];
        outcomes[index] = { ...outcome, index };
        if (outcome.classification === 'transient') pending.push(index);
      });
      this.report(alias, result.outcomes, step, plan[step + 1]);
    }
    if (pending.length) {
      this.#logger.error(
        `${this.label()}: ${pending.length} message(s) failed on every mailer tried (${plan.join(', ')}); last reason: ` +
          reasonOf(pending.map((index) => outcomes[index])),
      );
    }
    return settle(outcomes, this.failSilently);
  }

  /** Index in `mailers` of the mailer tried first; round-robin rotates it. */
  protected firstMailer(): number {
    return 0;
  }

  /** The mailers to try, in order: those cooling down left out, unless all are. */
  private plan(): string[] {
    const start = this.firstMailer();
    const order = [
      ...this.mailers.slice(start),
      ...this.mailers.slice(0, start),
    ];
    const now = Date.now();
    const ready = order.filter((alias) => {
      const cooling = this.#cooling.get(alias);
      if (!cooling || cooling.until <= now) return true;
      this.#logger.debug(
        `${this.label()}: skipping mailer '${alias}' for ${cooling.until - now} ms more (it failed: ${cooling.reason})`,
      );
      return false;
    });
    if (ready.length) return ready;
    this.#logger.warn(
      `${this.label()}: every mailer is cooling down after a failure; trying them all anyway`,
    );
    return order;
  }

  /** Logs one attempt and starts or ends the mailer's cool-down. */
  private report(
    alias: string,
    outcomes: MessageOutcome[],
    step: number,
    next: string | undefined,
  ): void {
    const line = `${this.label()}: ${describeAttempt(alias, outcomes)}`;
    const unhealthy = outcomes.filter(
      (o) =>
        o.classification === 'transient' || o.classification === 'ambiguous',
    );
    if (!unhealthy.length) {
      this.#cooling.delete(alias);
      if (outcomes.some((o) => !o.sent)) this.#logger.warn(line);
      else if (step > 0) this.#logger.log(`${line} (after failover)`);
      else this.#logger.debug(line);
      return;
    }
    const moving = outcomes.some((o) => o.classification === 'transient');
    const then =
      moving && next !== undefined ? `; trying mailer '${next}' next` : '';
    let cool = '';
    if (this.cooldown > 0) {
      this.#cooling.set(alias, {
        until: Date.now() + this.cooldown,
        reason: reasonOf(unhealthy),
      });
      cool = `; skipping '${alias}' for ${this.cooldown} ms`;
    }
    this.#logger.warn(line + then + cool);
  }

  private members(): Map<string, BaseEmailBackend> {
    if (this.#members) return this.#members;
    throw new ImproperlyConfiguredError(
      `${this.label()} has no mailers to send through: it works only as a mailer created by MailModule. ` +
        `Send with { using: '<its alias>' } or through the default mailer; getConnection(), new, and sends ` +
        `with failSilently or authUser (which make a new connection) cannot use it.`,
    );
  }

  /** E.g. `Failover 'main'`. */
  protected label(): string {
    return `${this.kind} '${this.alias ?? '(unnamed)'}'`;
  }
}

/**
 * A mailer that sends through `mailers` in order, moving on to the next one
 * on transient failures (see {@link FailoverEmailBackend}).
 *
 * @example
 * MailModule.forRoot({
 *   mailers: {
 *     primary: { options: { url: process.env.PRIMARY_SMTP_URL } },
 *     backup: { options: { url: process.env.BACKUP_SMTP_URL } },
 *     main: failover(['primary', 'backup'], { cooldown: 30_000 }),
 *   },
 * });
 * await mail.sendMail('Hi', 'Body', null, ['to@example.com'], { using: 'main' });
 */
export function failover(
  mailers: string[],
  options: Omit<FailoverEmailBackendOptions, 'mailers'> = {},
): CompositeMailerConfig {
  return { backend: FailoverEmailBackend, options: { ...options, mailers } };
}

/**
 * The options for a member's batch: `keepOpen` as given, and `beforeDataEnd`
 * called with the message's index in the whole send (the batch holds only
 * the messages still pending).
 */
function memberOptions(
  { keepOpen, beforeDataEnd }: DetailedSendOptions,
  pending: number[],
): DetailedSendOptions {
  return {
    keepOpen: Boolean(keepOpen),
    ...(beforeDataEnd && {
      beforeDataEnd: (k: number) => beforeDataEnd(pending[k]),
    }),
  };
}
