export {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './backends/base.backend.js';
export { BadHeaderError } from './errors/bad-header.error.js';
export { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
export { InvalidAddressError } from './errors/invalid-address.error.js';
export { MessageEncodingError } from './errors/message-encoding.error.js';
export {
  MAX_MIME_DEPTH,
  MimeNestingError,
} from './errors/mime-nesting.error.js';
export {
  MimePart,
  type MimePartContent,
  type MimePartOptions,
} from './message/mime-part.js';
export {
  parseAddressList,
  parseMailbox,
  parseMailboxList,
  type Mailbox,
  type MailboxGroup,
} from './message/address.js';
export {
  DEFAULT_ATTACHMENT_MIME_TYPE,
  type EmailAlternative,
  type EmailAttachment,
} from './message/attachment.js';
export {
  EmailMessage,
  type AttachmentInput,
  type EmailMessageOptions,
} from './message/email-message.js';
export {
  EmailMultiAlternatives,
  type EmailMultiAlternativesOptions,
} from './message/email-multi-alternatives.js';
export { formatDate, makeMsgid, type HeaderValue } from './message/headers.js';
export {
  DEFAULT_MESSAGE_SETTINGS,
  type MessageSettings,
} from './message/message-settings.js';
export {
  MimeMessage,
  type Envelope,
  type RenderOptions,
} from './message/mime-message.js';
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
export { MailOutbox } from './testing/mail-outbox.js';
export { MailModule } from './mail.module.js';
export {
  MAIL_MODULE_OPTIONS,
  type MailModuleExtras,
} from './mail.module-definition.js';
export {
  MailService,
  type ConnectionChoice,
  type MailAdminsOptions,
  type MassMailItem,
  type SendMailOptions,
  type SendOptions,
} from './mail.service.js';
export { DEFAULT_MAILER } from './mail.constants.js';
export { getMailerToken, InjectMailer } from './mail.decorators.js';
export { MailerDoesNotExistError } from './errors/mailer-does-not-exist.error.js';
export type {
  BackendName,
  MailerConfig,
  MailModuleOptions,
  MailSettingsOptions,
  SmtpMailerOptions,
} from './interfaces/mail-module-options.interface.js';
export {
  SMTPConnection,
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from './backends/smtp.backend.js';
export { parseSmtpUrl } from './backends/smtp-url.js';
export {
  startDebugSmtpServer,
  type DebugSmtpServer,
  type DebugSmtpServerOptions,
} from './debug-server/debug-server.js';
export { type ReceivedMessage } from './debug-server/debug-server.js';
export { MailPreviewModule } from './preview/mail-preview.module.js';
export {
  DEFAULT_MAIL_PREVIEW_PATH,
  MESSAGE_HTML_CSP,
} from './preview/mail-preview.constants.js';
export type {
  MailPreviewModuleOptions,
  MailPreviewSource,
  MailPreviewSourceOption,
  PreviewMessageInput,
} from './preview/mail-preview.interfaces.js';
export {
  MailHealthIndicator,
  type MailHealthCheckOptions,
  type MailerHealth,
} from './health/mail-health.indicator.js';
export { SendError } from './errors/send.error.js';
export type {
  DeliveryClassification,
  MessageOutcome,
  MessageStatus,
  RejectedRecipient,
  SendResult,
} from './delivery/message-outcome.js';
export {
  hasDetailedResults,
  type DetailedEmailBackend,
  type DetailedSendOptions,
} from './delivery/detailed-send.js';
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
export { queue } from './queue/queue.config.js';
export {
  QueueEmailBackend,
  jobIdOf,
  DEFAULT_QUEUE_NAME,
  DEFAULT_MAX_MESSAGE_BYTES,
  type MailJobData,
} from './queue/queue.backend.js';
export type {
  QueueMailerOptions,
  RedisConnectionOptions,
} from './queue/queue-mailer-options.interface.js';
export { QueuedMessageTooLargeError } from './queue/queued-message-too-large.error.js';
export { MailQueueWorkerModule } from './queue/mail-queue-worker.module.js';
export { MailQueueWorker } from './queue/mail-queue-worker.js';
export {
  MAIL_QUEUE_WORKER_OPTIONS,
  type MailQueueWorkerOptions,
} from './queue/mail-queue-worker.module-definition.js';
export type { StoredOutcome } from './queue/mail-job.processor.js';
export {
  serializeMessage,
  deserializeMessage,
  type SerializedMessage,
  type SerializedAttachment,
  type SerializedContent,
} from './queue/message-codec.js';
export { MAX_RECIPIENTS } from './message/email-message.js';
export type { RecipientRedirect } from './message/recipient-redirect.js';
