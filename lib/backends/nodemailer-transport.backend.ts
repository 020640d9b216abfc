import {
  createTransport,
  type SentMessageInfo,
  type Transport,
  type TransportConfig,
  type Transporter,
} from 'nodemailer';
import type {
  MessageOutcome,
  SendResult,
} from '../delivery/message-outcome.js';
import { settle } from '../delivery/detailed-send.js';
import {
  failedOutcome,
  sentOutcome,
  skippedOutcome,
  type SmtpError,
} from '../delivery/outcomes.js';
import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import type { EmailMessage } from '../message/email-message.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './base.backend.js';

/** Options of {@link NodemailerTransportBackend}. */
export interface NodemailerTransportBackendOptions extends BaseEmailBackendOptions {
  /**
   * The nodemailer transport that delivers: a transporter made with
   * `createTransport()` (yours to close), or what `createTransport()` takes (a
   * transport object such as `{ SES: { sesClient, SendEmailCommand } }`,
   * `{ sendmail: true }`, `{ streamTransport: true }`, or a custom
   * `Transport`), which the backend creates and closes.
   *
   * @example { transport: { SES: { sesClient: new SESv2Client({}), SendEmailCommand } } }
   */
  transport: Transporter | TransportConfig | Transport;
}

/**
 * Delivers through any nodemailer transport (SES, sendmail, stream/JSON,
 * your own): this package builds and validates the message (headers,
 * encodings, recipient redirect, DKIM) and hands the transport the finished
 * bytes and the envelope (`{ envelope, raw }`), so the transport delivers
 * exactly what `message().asBytes()` shows. Prefer the built-in SMTP backend
 * for SMTP: it pools connections and tells which recipient a server refused.
 *
 * Outcomes come from the transport's `info`: `accepted`, `rejected`,
 * `messageId` (the one the provider gave, e.g. SES's) and `response`.
 *
 * @example
 * MailModule.forRoot({ backend: 'nodemailer', options: { transport: { SES: { sesClient, SendEmailCommand } } } })
 */
export class NodemailerTransportBackend extends BaseEmailBackend {
  /** The transporter that delivers. */
  readonly transporter: Transporter;
  private readonly owned: boolean;

  /** @throws ImproperlyConfiguredError when `transport` is missing. */
  constructor(options: NodemailerTransportBackendOptions) {
    super(options);
    const { transport } = options ?? {};
    if (!transport)
      throw new ImproperlyConfiguredError(
        "The nodemailer backend needs a `transport` option: a transporter from nodemailer's createTransport(), or the options createTransport() takes.",
      );
    this.owned = typeof (transport as Transporter).sendMail !== 'function';
    this.transporter = this.owned
      ? createTransport(transport as TransportConfig)
      : (transport as Transporter);
  }

  /** Closes the transporter when this backend created it. */
  override async close(): Promise<void> {
    if (this.owned) this.transporter.close();
  }

  /**
   * Sends each message with the transport and returns how many it took.
   * @throws as {@link NodemailerTransportBackend.sendMessagesDetailed}.
   */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    return (await this.sendMessagesDetailed(messages)).sent;
  }

  /**
   * Sends each message with the transport, one after another, and says what
   * happened to it. Every message is validated first: a bad header sends
   * nothing. A failure is `'transient'` unless the transport's error carries
   * an SMTP reply code that says otherwise.
   *
   * @throws SendError unless `failSilently`, when a message failed
   */
  override async sendMessagesDetailed(
    messages: Iterable<EmailMessage>,
  ): Promise<SendResult> {
    const list = [...messages];
    const mimes = list.map((message) =>
      message.recipients().length
        ? message.message(this.messageSettings)
        : null,
    );
    const outcomes: MessageOutcome[] = [];
    for (const [index, message] of list.entries()) {
      const mime = mimes[index];
      if (!mime) {
        outcomes.push(skippedOutcome(index, message));
        continue;
      }
      const base = {
        index,
        message,
        messageId: mime.get('Message-ID'),
        envelope: mime.envelope,
      };
      try {
        const info: SentMessageInfo = await this.transporter.sendMail({
          envelope: { from: mime.envelope.from, to: mime.envelope.to },
          raw: mime.createReadStream({ linesep: '\r\n' }),
        });
        outcomes.push(sentOutcome(base, info));
      } catch (err) {
        outcomes.push(failedOutcome(base, err as SmtpError, false));
      }
    }
    return settle(outcomes, this.failSilently);
  }
}
