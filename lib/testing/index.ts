/**
 * `nestjs-mail/testing`: test helpers for apps that use `MailModule`. Kept
 * out of the main entry so they never reach a production bundle.
 *
 * @packageDocumentation
 */
// Core's outbox and captures, re-exported where tests look for them.
export { captureMail } from './capture-mail.js';
export {
  joinMailCapture,
  MAIL_CAPTURE_HEADER,
  MailOutbox,
  type MailCapture,
  type OutboxEntry,
} from '../index.js';
export { MailTestingModule } from './mail-testing.module.js';
export { type MailTestingOptions } from './mail-testing.providers.js';
export {
  renderMail,
  renderSentMail,
  type RenderedAttachment,
  type RenderedMail,
  type SentMailSource,
} from './rendered-mail.js';
export { MailRenderError } from './mail-render.error.js';
export {
  assertSentMail,
  assertSentMailCount,
  checkSentMail,
  findSentMail,
  type AddressCriterion,
  type AttachmentCriteria,
  type CriterionResult,
  type SentMailCriteria,
  type TextCriterion,
} from './sent-mail-criteria.js';
export {
  mailMatchers,
  type MailMatcherResult,
  type MailMatchers,
} from './mail-matchers.js';
export type { DeterministicRendering } from '../index.js';
