import {
  outcomesFromCount,
  validateAll,
  type DetailedSendOptions,
} from '../delivery/detailed-send.js';
import type { SendResult } from '../delivery/message-outcome.js';
import { DkimSigner, type DkimOptions } from '../message/dkim.js';
import type { EmailMessage } from '../message/email-message.js';
import type { MessageSettings } from '../message/message-settings.js';
import type { MailOutbox } from '../outbox/mail-outbox.js';
import type { MailerContext } from './mailer-context.js';

/**
 * Gives a backend its context when it was built without one (a user's class
 * whose constructor does not pass it on, or a provider overridden in a
 * TestingModule). A backend that has a context keeps it.
 * @internal Called by the mailer registry only.
 */
export const ATTACH_CONTEXT = Symbol('nestjs-mail.attachContext');

/** Options every backend accepts. */
export interface BaseEmailBackendOptions {
  /**
   * Swallow connection and protocol failures, counting the message as not
   * sent. Invalid addresses and bad headers are never silenced.
   * @default false
   */
  failSilently?: boolean;
  /**
   * Sign every message this mailer sends with DKIM; an array signs with
   * each key (rotation, or RSA next to Ed25519). Keys are read and checked
   * when the mailer is created. Needs the optional peer `mailauth`.
   * @default undefined (not signed)
   * @example dkim: { domainName: 'example.com', keySelector: 'mail2026', privateKey: process.env.DKIM_KEY! }
   */
  dkim?: DkimOptions | DkimOptions[];
}

/**
 * The contract every email backend fulfils, Django's `BaseEmailBackend`. Also
 * the DI token of the default mailer in the Nest module.
 *
 * `sendMessages` on a closed backend opens it and closes it again; on an open
 * one it leaves it open. Use `await using conn = mail.getConnection()` to have
 * it closed for you.
 *
 * @example
 * class MyBackend extends BaseEmailBackend {
 *   async sendMessages(messages: Iterable<EmailMessage>) { let n = 0; for (const m of messages) n++; return n; }
 * }
 */
export abstract class BaseEmailBackend implements AsyncDisposable {
  /** See {@link BaseEmailBackendOptions.failSilently}. */
  readonly failSilently: boolean;
  #context: MailerContext | undefined;
  readonly #dkim: DkimSigner | undefined;

  /**
   * @param options the backend's options.
   * @param context given by `MailModule`; pass it on from a subclass
   *   constructor (`super(options, context)`). Without it the backend uses
   *   Django's defaults until the module attaches one.
   */
  constructor(options: BaseEmailBackendOptions = {}, context?: MailerContext) {
    this.failSilently = options?.failSilently ?? false;
    this.#context = context;
    this.#dkim = options?.dkim ? new DkimSigner(options.dkim) : undefined;
  }

  /**
   * Name of the mailer this backend serves (`'default'` or a key of the
   * module's `mailers`); `null` for a connection made by hand.
   */
  get alias(): string | null {
    return this.#context?.alias ?? null;
  }

  /** Defaults used when this backend renders messages (given by the Nest module). */
  get messageSettings(): Readonly<Partial<MessageSettings>> {
    const settings = this.#context?.messageSettings ?? {};
    return this.#dkim ? { ...settings, dkim: this.#dkim } : settings;
  }

  /** The application's outbox, when the module gave one (see {@link MailerContext}). */
  protected get contextOutbox(): MailOutbox | undefined {
    return this.#context?.outbox;
  }

  /**
   * The outbox this backend records what it sends in, if it is one that
   * does (the in-memory backend); a queued mailer in front of it records
   * its `'queued'` entries there too.
   */
  get outbox(): MailOutbox | undefined {
    return undefined;
  }

  /** @internal See {@link ATTACH_CONTEXT}. */
  [ATTACH_CONTEXT](context: MailerContext): this {
    this.#context ??= context;
    return this;
  }

  /**
   * Opens a long-lived connection, if the backend has one. Returns `true` when
   * it opened one, `false` when one was already open.
   */
  async open(): Promise<boolean | void> {}

  /** Closes the connection; harmless when nothing is open. */
  async close(): Promise<void> {}

  /**
   * Sends the messages and returns how many were sent. Accepts any iterable
   * and iterates it once.
   */
  abstract sendMessages(messages: Iterable<EmailMessage>): Promise<number>;

  /**
   * Sends like `sendMessages` and says what happened to each message: the
   * one delivery contract that `MailService`, the composite mailers and the
   * queue worker call. This default validates every message first (so a bad
   * header sends nothing), then calls `sendMessages`, and derives outcomes
   * from its count: all `'sent'` when every message with recipients was
   * counted, otherwise `'unknown'`. Backends that know more (SMTP, failover,
   * queue) override it; a custom backend needs only `sendMessages`.
   *
   * @example
   * const { sent, outcomes } = await backend.sendMessagesDetailed([m1, m2]);
   */
  async sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
    options: DetailedSendOptions = {},
  ): Promise<SendResult> {
    const list = [...messages];
    const validated = validateAll(list, this.messageSettings);
    if (!validated.some(Boolean)) return outcomesFromCount(list, validated, 0);
    if (options.keepOpen) await this.open();
    const count = await this.sendMessages(list);
    return outcomesFromCount(list, validated, count);
  }

  /**
   * Implemented by backends built from other mailers (failover, round-robin,
   * queues). `MailModule` calls it once, after creating every mailer of the
   * application, with a lookup by alias; ordinary backends leave it out.
   */
  bindMailers?(lookup: (alias: string) => BaseEmailBackend): void;

  /** Closes the backend at the end of an `await using` block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
