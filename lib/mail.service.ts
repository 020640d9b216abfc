import type { Type } from '@nestjs/common';
import type { BaseEmailBackend } from './backends/base.backend.js';
import type { SendResult } from './delivery/message-outcome.js';
import { skippedOutcome } from './delivery/outcomes.js';
import type {
  BackendName,
  MailerConfig,
} from './interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER } from './mail.constants.js';
import { resolveBackendClass } from './mailer.factory.js';
import type { MailerRegistry } from './mailer.registry.js';
import { EmailMessage } from './message/email-message.js';
import { EmailMultiAlternatives } from './message/email-multi-alternatives.js';

/** How a send picks its connection; the combinations Django 6.1 refuses are `TypeError`s. */
export interface ConnectionChoice {
  /** Alias of a configured mailer. Cannot be combined with the other fields. */
  using?: string;
  /** Swallow connection and SMTP errors (sent on a fresh connection of the default backend). */
  failSilently?: boolean;
  /** Log in as this user (on a fresh connection of the default backend). */
  authUser?: string;
  /** Password for `authUser`. */
  authPassword?: string;
  /** A connection from `getConnection()`; the caller opens and closes it. */
  connection?: BaseEmailBackend;
}

/** Options of {@link MailService.sendMail}. */
export interface SendMailOptions extends ConnectionChoice {
  /** An HTML version of the message, sent as a `text/html` alternative. */
  htmlMessage?: string;
}

/** Options of {@link MailService.mailAdmins} and {@link MailService.mailManagers}. */
export type MailAdminsOptions = Omit<
  SendMailOptions,
  'authUser' | 'authPassword'
>;

/** Options of {@link MailService.send}. */
export type SendOptions = Pick<ConnectionChoice, 'using' | 'failSilently'>;

/** One item of {@link MailService.sendMassMail}: `[subject, message, fromEmail, recipientList]`. */
export type MassMailItem = [
  subject: string,
  message: string,
  fromEmail: string | null,
  recipientList: string[],
];

/**
 * Django's sending functions, bound to the module's mailers. Inject it into
 * controllers and services.
 *
 * @example
 * constructor(private readonly mail: MailService) {}
 * await this.mail.sendMail('Subject here', 'Here is the message.', 'from@example.com', ['to@example.com']);
 */
export class MailService {
  /** @internal Created by `MailModule`; inject it. */
  constructor(private readonly registry: MailerRegistry) {}

  /**
   * Sends one message to every address in `recipientList` (all in `To`).
   * Returns 1 when sent, 0 when the list is empty (nothing is connected) or
   * the send failed silently. Throws `SendError` (with the outcome) when it
   * was not sent, and `BadHeaderError` for unsafe input before connecting.
   */
  async sendMail(
    subject: string,
    message: string,
    fromEmail: string | null,
    recipientList: string[],
    options: SendMailOptions = {},
  ): Promise<number> {
    return (
      await this.sendMailDetailed(
        subject,
        message,
        fromEmail,
        recipientList,
        options,
      )
    ).sent;
  }

  /**
   * {@link MailService.sendMail} with the detailed result: the count plus the
   * message's {@link MessageOutcome} (accepted and refused recipients with the
   * server's replies, and a classification when it did not go out).
   *
   * @example
   * const { outcomes: [o] } = await mail.sendMailDetailed('Hi', 'Body', null, to, { failSilently: true });
   * if (o.classification === 'transient') await queue.retryLater(o.message);
   */
  async sendMailDetailed(
    subject: string,
    message: string,
    fromEmail: string | null,
    recipientList: string[],
    options: SendMailOptions = {},
  ): Promise<SendResult> {
    const msg = withHtml(
      subject,
      message,
      fromEmail,
      recipientList,
      options.htmlMessage,
    );
    if (!msg.recipients().length) {
      return { sent: 0, outcomes: [skippedOutcome(0, msg)] };
    }
    return this.deliver([msg], options);
  }

  /**
   * Sends one plain message per item, over the mailer's pooled connections
   * (outcomes in the order given). Returns how many were sent.
   * A failed message does not stop the others; then, unless `failSilently`, a
   * `SendError` says what happened to each.
   *
   * @example
   * await mail.sendMassMail([
   *   ['Subject', 'Message.', 'from@example.com', ['first@example.com', 'other@example.com']],
   *   ['Subject', 'Message.', 'from@example.com', ['second@test.com']],
   * ]);
   */
  async sendMassMail(
    datatuple: Iterable<MassMailItem>,
    options: ConnectionChoice = {},
  ): Promise<number> {
    return (await this.deliver(massMessages(datatuple), options)).sent;
  }

  /**
   * {@link MailService.sendMassMail} with the detailed result: the count plus
   * one {@link MessageOutcome} per item, in order.
   *
   * @example
   * const { sent, outcomes } = await mail.sendMassMailDetailed(items, { failSilently: true });
   * const unknown = outcomes.filter((o) => o.classification === 'ambiguous'); // may have been delivered
   */
  async sendMassMailDetailed(
    datatuple: Iterable<MassMailItem>,
    options: ConnectionChoice = {},
  ): Promise<SendResult> {
    return this.deliver(massMessages(datatuple), options);
  }

  /**
   * Mails the `admins` of the module options, from `serverEmail`, with
   * `subjectPrefix` before the subject. Does nothing when there are no admins.
   */
  async mailAdmins(
    subject: string,
    message: string,
    options: MailAdminsOptions = {},
  ): Promise<void> {
    await this.mailStaff(
      this.registry.settings.admins,
      subject,
      message,
      options,
    );
  }

  /** As {@link MailService.mailAdmins}, to the `managers`. */
  async mailManagers(
    subject: string,
    message: string,
    options: MailAdminsOptions = {},
  ): Promise<void> {
    await this.mailStaff(
      this.registry.settings.managers,
      subject,
      message,
      options,
    );
  }

  /**
   * A new connection, not shared with anything: open and close it yourself, or
   * use `await using`. Without `backend` it is the default mailer's backend,
   * with `options` merged over the default mailer's options.
   *
   * @example
   * await using conn = mail.getConnection();
   * await conn.open();
   * await conn.sendMessages([msg1, msg2]);
   */
  getConnection(
    backend?: BackendName | Type<BaseEmailBackend>,
    options: object = {},
  ): BaseEmailBackend {
    return backend === undefined
      ? this.registry.createConnection(DEFAULT_MAILER, options)
      : this.registry.create({
          backend: resolveBackendClass(backend, null),
          options,
        } as MailerConfig);
  }

  /**
   * Sends messages you built, through the default mailer or `using`. Returns
   * how many were sent.
   */
  async send(
    messages: EmailMessage | Iterable<EmailMessage>,
    options: SendOptions = {},
  ): Promise<number> {
    return (await this.deliver(messageList(messages), options)).sent;
  }

  /**
   * {@link MailService.send} with the detailed result: the count plus one
   * {@link MessageOutcome} per message, in order.
   */
  async sendDetailed(
    messages: EmailMessage | Iterable<EmailMessage>,
    options: SendOptions = {},
  ): Promise<SendResult> {
    return this.deliver(messageList(messages), options);
  }

  private async mailStaff(
    recipients: string[],
    subject: string,
    message: string,
    options: MailAdminsOptions,
  ): Promise<void> {
    if (!recipients.length) return;
    const { subjectPrefix, serverEmail } = this.registry.settings;
    const msg = withHtml(
      `${subjectPrefix}${subject}`,
      message,
      serverEmail,
      recipients,
      options.htmlMessage,
    );
    await this.deliver([msg], options);
  }

  /**
   * Sends through the chosen backend's `sendMessagesDetailed`. A shared
   * mailer (the default one or `using`) is opened by the send itself, after
   * every message is validated, and left open.
   */
  private deliver(
    messages: EmailMessage[],
    choice: ConnectionChoice,
  ): Promise<SendResult> {
    const { backend, shared } = this.connectionFor(choice);
    for (const message of messages) message.connection ??= backend;
    return backend.sendMessagesDetailed(messages, { keepOpen: shared });
  }

  /** Django 6.1's rules for `using`, `connection`, `failSilently` and the auth arguments. */
  private connectionFor(choice: ConnectionChoice): {
    backend: BaseEmailBackend;
    shared: boolean;
  } {
    const { using, connection, failSilently, authUser, authPassword } = choice;
    const auth = authUser !== undefined || authPassword !== undefined;
    if (using !== undefined) {
      if (connection)
        throw new TypeError("'connection' is not compatible with 'using'.");
      if (failSilently)
        throw new TypeError("'failSilently' is not compatible with 'using'.");
      if (auth) {
        throw new TypeError(
          "'authUser' and 'authPassword' are not compatible with 'using'. Set 'username' and 'password' in the mailer's options instead.",
        );
      }
      return { backend: this.registry.get(using), shared: true };
    }
    if (connection) {
      if (failSilently) {
        throw new TypeError(
          'failSilently cannot be used with a connection. Pass failSilently to getConnection() instead.',
        );
      }
      if (auth) {
        throw new TypeError(
          'authUser and authPassword cannot be used with a connection. Pass username and password to getConnection() instead.',
        );
      }
      return { backend: connection, shared: false };
    }
    if (failSilently || auth) {
      const backend = this.getConnection(undefined, {
        ...(failSilently ? { failSilently } : {}),
        ...(authUser !== undefined ? { username: authUser } : {}),
        ...(authPassword !== undefined ? { password: authPassword } : {}),
      });
      return { backend, shared: false };
    }
    return { backend: this.registry.get(DEFAULT_MAILER), shared: true };
  }
}

function massMessages(datatuple: Iterable<MassMailItem>): EmailMessage[] {
  return [...datatuple].map(
    ([subject, message, fromEmail, recipientList]) =>
      new EmailMessage(subject, message, fromEmail, recipientList),
  );
}

function messageList(
  messages: EmailMessage | Iterable<EmailMessage>,
): EmailMessage[] {
  return messages instanceof EmailMessage ? [messages] : [...messages];
}

/** Django's message for sendMail and mailAdmins: text, plus HTML as an alternative when given. */
function withHtml(
  subject: string,
  body: string,
  fromEmail: string | null,
  to: string[],
  html: string | undefined,
): EmailMultiAlternatives {
  const msg = new EmailMultiAlternatives(subject, body, fromEmail, to);
  if (html) msg.attachAlternative(html, 'text/html');
  return msg;
}
