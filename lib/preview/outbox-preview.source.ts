import type { MailOutbox, MessageSettings, OutboxEntry } from '../index.js';
import type {
  MailPreviewSource,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';

/**
 * The `'outbox'` source of the preview page: the messages in the app's
 * {@link MailOutbox}, as the in-memory backend rendered them when they were
 * sent (or, for a message recorded without its bytes, rendered now with the
 * package's own MIME builder, dated when it was sent).
 * @internal
 */
export class OutboxPreviewSource implements MailPreviewSource {
  private readonly seen = new WeakMap<OutboxEntry, PreviewMessageInput>();
  private lastId = 0;

  constructor(
    private readonly outbox: MailOutbox,
    private readonly settings: () => Partial<MessageSettings>,
  ) {}

  /** Renders each message once; later calls reuse the bytes. */
  async previewMessages(): Promise<PreviewMessageInput[]> {
    const entries: PreviewMessageInput[] = [];
    for (const recorded of [...this.outbox.entries]) {
      let entry = this.seen.get(recorded);
      if (!entry) {
        entry = await this.render(recorded);
        this.seen.set(recorded, entry);
      }
      entries.push(entry);
    }
    return entries;
  }

  private async render(delivery: OutboxEntry): Promise<PreviewMessageInput> {
    const copy = delivery.message.clone();
    let mime = copy.message(delivery.settings ?? this.settings());
    let receivedAt = delivery.sentAt;
    const dateHeader = Object.keys(copy.extraHeaders ?? {}).find(
      (name) => name.toLowerCase() === 'date',
    );
    if (dateHeader) {
      const given = new Date(copy.extraHeaders[dateHeader]);
      if (!Number.isNaN(given.getTime())) receivedAt = given;
    }
    if (delivery.raw) {
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
