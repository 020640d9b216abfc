import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EmailMessage } from '../message/email-message.js';
import { DEFAULT_MESSAGE_SETTINGS } from '../message/message-settings.js';
import { MailOutbox } from '../outbox/mail-outbox.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './base.backend.js';
import type { MailerContext } from './mailer-context.js';

/**
 * Keeps sent messages in a {@link MailOutbox} instead of sending them,
 * Django's `locmem.EmailBackend`, for tests.
 *
 * Each message is validated and rendered as a real send would (so
 * `BadHeaderError` propagates), then a deep copy is stored: changing the original afterwards
 * does not change what the test reads. Messages without recipients are stored
 * too. `failSilently` has no effect.
 *
 * Inside Nest it writes to the application's `MailOutbox`; with `new` and no
 * context it writes to the process-wide {@link MailOutbox.default}.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(BaseEmailBackend)
 *   .useClass(LocmemEmailBackend)
 *   .compile();
 */
@Injectable()
export class LocmemEmailBackend extends BaseEmailBackend {
  /** An outbox given instead of a context (a plain Nest provider injects one). */
  readonly #given: MailOutbox | undefined;

  /**
   * Both parameters are optional so the class works with `new` and as a
   * Nest provider (which injects the module's `MailOutbox`; `MailModule`
   * then gives it its alias and settings).
   *
   * @param options accepted for symmetry with other backends; `failSilently`
   *   has no effect here.
   * @param context the mailer's context (its outbox is where messages go),
   *   or just an outbox.
   */
  constructor(
    @Optional() options: BaseEmailBackendOptions = {},
    @Optional() @Inject(MailOutbox) context?: MailerContext | MailOutbox,
  ) {
    const outbox = context instanceof MailOutbox ? context : undefined;
    super(options ?? {}, outbox ? undefined : (context as MailerContext));
    this.#given = outbox;
  }

  /** Where sent messages go: the context's or given outbox, else {@link MailOutbox.default}. */
  override get outbox(): MailOutbox {
    return this.contextOutbox ?? this.#given ?? MailOutbox.default;
  }

  /**
   * Validates and renders each message, stores a copy in the outbox with an
   * entry (this backend's alias, the bytes as rendered, the envelope), and
   * returns the number stored. A message that fails validation or rendering
   * throws; the messages before it stay stored.
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    const defaultFrom =
      this.messageSettings.defaultFromEmail ??
      DEFAULT_MESSAGE_SETTINGS.defaultFromEmail;
    let count = 0;
    for (const message of messages) {
      const mime = message.message(this.messageSettings);
      const copy = message.clone();
      if (!copy.fromEmail) copy.fromEmail = defaultFrom;
      // Rendered in full, as a real backend would: a part that cannot be rendered fails the send.
      const raw = await mime.asBytes({ linesep: '\r\n' });
      this.outbox.record({
        message: copy,
        mailer: this.alias,
        messageId: mime.get('Message-ID'),
        raw,
        envelope: mime.envelope,
        settings: { ...this.messageSettings },
      });
      count++;
    }
    return count;
  }
}
