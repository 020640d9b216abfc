import type { EmailMessage } from '../message/email-message.js';
import type { MessageSettings } from '../message/message-settings.js';
import type { MimeMessage } from '../message/mime-message.js';
import { MailOutbox } from '../testing/mail-outbox.js';
import type {
  MailPreviewSource,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';

/** `Date.now()` at the front of a Message-ID made by `makeMsgid()`. */
const GENERATED_MSGID = /^<(\d{13})\.\d+\.\d+@/;

/**
 * The `'outbox'` source of the preview page: the messages in the app's
 * {@link MailOutbox}, as the in-memory backend rendered them when they were
 * sent (or, for a message recorded without its bytes, rendered now with the
 * package's own MIME builder, dated when it was sent).
 * @internal
 */
export class OutboxPreviewSource implements MailPreviewSource {
  private readonly seen = new WeakMap<EmailMessage, PreviewMessageInput>();
  private lastId = 0;

  constructor(
    private readonly outbox: MailOutbox,
    private readonly settings: () => Partial<MessageSettings>,
  ) {}

  /** Renders each message once; later calls reuse the bytes. */
  async previewMessages(): Promise<PreviewMessageInput[]> {
    const entries: PreviewMessageInput[] = [];
    for (const message of [...this.outbox.messages]) {
      let entry = this.seen.get(message);
      if (!entry) {
        entry = await this.render(message);
        this.seen.set(message, entry);
      }
      entries.push(entry);
    }
    return entries;
  }

  private async render(message: EmailMessage): Promise<PreviewMessageInput> {
    const delivery = MailOutbox.deliveryOf(message);
    const copy = message.clone();
    let mime = copy.message(delivery?.settings ?? this.settings());
    let receivedAt = sentAt(mime);
    const dateHeader = Object.keys(copy.extraHeaders ?? {}).find(
      (name) => name.toLowerCase() === 'date',
    );
    if (dateHeader) {
      const given = new Date(copy.extraHeaders[dateHeader]);
      if (!Number.isNaN(given.getTime())) receivedAt = given;
    }
    if (delivery?.raw) {
      // The bytes the in-memory backend rendered when it "sent" the message.
      return {
        id: String(++this.lastId),
        receivedAt,
        raw: delivery.raw,
        envelope: delivery.envelope ?? mime.envelope,
      };
    }
    if (!dateHeader) {
      // Without this the Date header would say when the page was opened.
      copy.extraHeaders = { ...copy.extraHeaders, Date: receivedAt };
      mime = copy.message(this.settings());
    }
    return {
      id: String(++this.lastId),
      receivedAt,
      raw: await mime.asBytes({ linesep: '\r\n' }),
      envelope: mime.envelope,
    };
  }
}

/**
 * When the in-memory backend stored the message: it renders the message
 * before storing it, which fixes the generated Message-ID, whose first field
 * is the time. A Message-ID given by hand leaves "when the page first saw it".
 */
function sentAt(mime: MimeMessage): Date {
  const id = mime.get('Message-ID') ?? '';
  const match = GENERATED_MSGID.exec(id);
  return match ? new Date(Number(match[1])) : new Date();
}
