/**
 * `nestjs-mail/preview`: a page that shows the mail an app sent (its outbox,
 * or what the debug SMTP server received). Needs the optional peer `mailparser`.
 *
 * @packageDocumentation
 */
export { MailPreviewModule } from './mail-preview.module.js';
export { DEFAULT_MAIL_PREVIEW_PATH } from './mail-preview.constants.js';
export type {
  MailPreviewModuleOptions,
  MailPreviewSource,
  MailPreviewSourceOption,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';
