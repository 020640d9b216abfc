/**
 * `nestjs-mail/preview`: a development page that lists the mail the app
 * sent, and previews the app's templates with sample contexts. Off unless
 * the app turns it on (`enabled`), loopback clients only by default. Its own
 * entry point, so its optional peer `mailparser` never reaches an app that
 * does not import it.
 *
 * @packageDocumentation
 */
export { MailPreviewModule } from './mail-preview.module.js';
export {
  type MailPreviewModuleAsyncOptions,
  type MailPreviewModuleExtras,
  type MailPreviewModuleRootOptions,
} from './mail-preview.module-definition.js';
export {
  DEFAULT_MAIL_PREVIEW_PATH,
  MAIL_PREVIEW_OPTIONS,
} from './mail-preview.constants.js';
export { isLoopbackAddress, isLoopbackClient } from './loopback-client.js';
export type {
  MailPreviewClient,
  MailPreviewModuleOptions,
  MailPreviewSource,
  MailPreviewSourceOption,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';
export type {
  MailPreviewRenderedTemplate,
  MailPreviewSample,
  MailPreviewSamples,
  MailPreviewTemplateSummary,
  MailPreviewTemplates,
} from './template-preview.interfaces.js';
