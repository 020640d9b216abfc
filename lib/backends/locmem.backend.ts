import { Injectable, Optional } from '@nestjs/common';
import type { EmailMessage } from '../message/email-message.js';
import { DEFAULT_MESSAGE_SETTINGS } from '../message/message-settings.js';
import { MailOutbox } from '../testing/mail-outbox.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './base.backend.js';

/**
 * Keeps sent messages in a {@link MailOutbox} instead of sending them,
 * Django's `locmem.EmailBackend`, for tests.
 *
 * Each message is validated and rendered as a real send would (so
 * `BadHeaderError` propagates), then a deep copy is stored: changing the original afterwards
 * does not change what the test reads. Messages without recipients are stored
 * too. `failSilently` has no effect.
 *
 * Inside Nest the module's `MailOutbox` is injected; with `new` and no outbox
 * it writes to the process-wide {@link MailOutbox.default}.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
 *   .overrideProvider(BaseEmailBackend)
 *   .useClass(LocmemEmailBackend)
 *   .compile();
 */
@Injectable()
export class LocmemEmailBackend extends BaseEmailBackend {
  /** Where sent messages go. */
  readonly outbox: MailOutbox;

  /**
   * Both parameters are optional so the class works with `new` and as a
   * Nest provider (which injects the module's `MailOutbox`).
   *
   * @param options accepted for symmetry with other backends; `failSilently`
   *   has no effect here.
   * @param outbox where to store messages; {@link MailOutbox.default} when omitted.
   */
  constructor(
    @Optional() options: BaseEmailBackendOptions = {},
    @Optional() outbox?: MailOutbox,
  ) {
    super(options ?? {});
    this.outbox = outbox ?? MailOutbox.default;
  }

  /**
   * Validates and renders each message, stores a copy with `sentUsing` set
   * to this backend's alias (and, for `nestjs-mail/testing`, the bytes as
   * rendered), and returns the number stored. A message that fails
   * validation or rendering throws; the messages before it stay stored.
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    const defaultFrom =
      this.messageSettings.defaultFromEmail ??
      DEFAULT_MESSAGE_SETTINGS.defaultFromEmail;
    let count = 0;
    for (const message of messages) {
      const mime = message.message(this.messageSettings);
      const copy = message.clone();
      copy.sentUsing = this.alias;
      if (!copy.fromEmail) copy.fromEmail = defaultFrom;
      // Rendered in full, as a real backend would: a part that cannot be rendered fails the send.
      const raw = await mime.asBytes({ linesep: '\r\n' });
      this.outbox.record(copy, {
        raw,
        envelope: mime.envelope,
        settings: { ...this.messageSettings },
      });
      count++;
    }
    return count;
  }
}
