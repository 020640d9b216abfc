export {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './backends/base.backend.js';
export { BadHeaderError } from './errors/bad-header.error.js';
export { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
export { InvalidAddressError } from './errors/invalid-address.error.js';
export { MessageEncodingError } from './errors/message-encoding.error.js';
export {
  parseMailbox,
  parseMailboxList,
  type Mailbox,
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
