/**
 * `nestjs-mail`: Django's email API as a NestJS module. This is core: the
 * module and service, messages, backends, the outbox, errors and delivery
 * outcomes. Add-ons have entry points of their own (`nestjs-mail/testing`,
 * `nestjs-mail/queue`, `nestjs-mail/health`, `nestjs-mail/preview`), so
 * their optional peers never reach an app that does not use them.
 *
 * @packageDocumentation
 */

// The Nest module: registration, the service to inject, the mailers by alias.
export { MailModule } from './mail.module.js';
export {
  MAIL_MODULE_OPTIONS,
  type MailModuleExtras,
} from './mail.module-definition.js';
export type {
  BackendName,
  MailerConfig,
  MailModuleOptions,
  MailSettingsOptions,
  SmtpMailerOptions,
} from './interfaces/mail-module-options.interface.js';
export {
  MailService,
  type ConnectionChoice,
  type MailAdminsOptions,
  type MassMailItem,
  type SendMailOptions,
  type SendOptions,
} from './mail.service.js';
export { MailerRegistry } from './mailer.registry.js';
export type { MailSettings } from './mail-settings.js';
export { resolveBackendClass } from './mailer.factory.js';
export { DEFAULT_MAILER } from './mail.constants.js';
export { getMailerToken, InjectMailer } from './mail.decorators.js';

// Messages: what you build and send.
export {
  EmailMessage,
  MAX_RECIPIENTS,
  type AttachmentInput,
  type EmailMessageOptions,
} from './message/email-message.js';
export {
  EmailMultiAlternatives,
  type EmailMultiAlternativesOptions,
} from './message/email-multi-alternatives.js';
export {
  DEFAULT_ATTACHMENT_MIME_TYPE,
  type EmailAlternative,
  type EmailAttachment,
} from './message/attachment.js';
export {
  MimePart,
  type MimePartContent,
  type MimePartOptions,
} from './message/mime-part.js';
export type {
  Envelope,
  MimeMessage,
  RenderOptions,
} from './message/mime-message.js';
export type { HeaderValue } from './message/headers.js';
export type { MessageSettings } from './message/message-settings.js';
export type { DeterministicRendering } from './message/deterministic.js';
export type { RecipientRedirect } from './message/recipient-redirect.js';
export { DkimSigner, type DkimOptions } from './message/dkim.js';

// Backends: where messages go. Each is also usable with `new`, outside Nest.
export {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './backends/base.backend.js';
export type { MailerContext } from './backends/mailer-context.js';
export {
  SMTPConnection,
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
  type SmtpPoolStatus,
} from './backends/smtp.backend.js';
export type { RateLimit } from './backends/rate-limiter.js';
export { parseSmtpUrl } from './backends/smtp-url.js';
export {
  ConsoleEmailBackend,
  type ConsoleEmailBackendOptions,
} from './backends/console.backend.js';
export {
  FileEmailBackend,
  type FileEmailBackendOptions,
} from './backends/file.backend.js';
export { LocmemEmailBackend } from './backends/locmem.backend.js';
export { DummyEmailBackend } from './backends/dummy.backend.js';
export {
  NodemailerTransportBackend,
  type NodemailerTransportBackendOptions,
} from './backends/nodemailer-transport.backend.js';
export {
  DEFAULT_FAILOVER_COOLDOWN,
  FailoverEmailBackend,
  failover,
  type CompositeMailerConfig,
  type FailoverEmailBackendOptions,
} from './backends/composite/failover.backend.js';
export {
  RoundRobinEmailBackend,
  roundRobin,
} from './backends/composite/round-robin.backend.js';

// The outbox: what in-memory mailers recorded, and captures for tests.
export { MailOutbox } from './outbox/mail-outbox.js';
export type {
  OutboxEntry,
  OutboxRecord,
  OutboxStatus,
} from './outbox/outbox-entry.js';
export {
  joinMailCapture,
  MAIL_CAPTURE_HEADER,
  type MailCapture,
} from './outbox/mail-capture.js';

// Delivery outcomes: what happened to each message of a send.
export { settle, type DetailedSendOptions } from './delivery/detailed-send.js';
export type {
  DeliveryClassification,
  MessageOutcome,
  MessageStatus,
  RejectedRecipient,
  SendResult,
} from './delivery/message-outcome.js';
export {
  failedOutcome,
  notAttemptedOutcome,
  sentOutcome,
  skippedOutcome,
  type OutcomeBase,
  type SmtpError,
} from './delivery/outcomes.js';

// Errors, each with a message that says what to change.
export { BadHeaderError } from './errors/bad-header.error.js';
export { InvalidAddressError } from './errors/invalid-address.error.js';
export { MessageEncodingError } from './errors/message-encoding.error.js';
export {
  MAX_MIME_DEPTH,
  MimeNestingError,
} from './errors/mime-nesting.error.js';
export { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
export { MailerDoesNotExistError } from './errors/mailer-does-not-exist.error.js';
export { SendError } from './errors/send.error.js';

// A development SMTP server that prints what it receives (needs `smtp-server`).
export {
  startDebugSmtpServer,
  type DebugSmtpServer,
  type DebugSmtpServerOptions,
  type ReceivedMessage,
} from './debug-server/debug-server.js';
