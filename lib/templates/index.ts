/**
 * `nestjs-mail/templates`: mail from templates. File templates (Handlebars,
 * EJS, Pug, Liquid, MJML) checked when the application starts, templates as
 * code (typed functions, React Email), CSS inlining, derived text bodies,
 * localised variants.
 *
 * @packageDocumentation
 */
export { MailTemplatesModule } from './mail-templates.module.js';
export {
  MAIL_TEMPLATES_OPTIONS,
  type MailTemplatesModuleExtras,
} from './mail-templates.module-definition.js';
export type {
  FileTemplateSettings,
  MailTemplatesOptions,
} from './mail-templates-options.interface.js';
export {
  MailTemplates,
  type TemplateMessageOptions,
  type TemplateSummary,
} from './mail-templates.service.js';
export type { RenderedTemplate } from './template-renderer.js';
export {
  defineTemplate,
  mailTemplate,
  reactTemplate,
  type FunctionTemplate,
  type FunctionTemplateSettings,
  type ReactTemplateOutput,
  type TemplateHandle,
  type TemplateOutput,
} from './define-template.js';
export type {
  CompiledTemplate,
  CompileOptions,
  EngineSetup,
  TemplateEngine,
  TemplateSource,
} from './template-engine.interface.js';
export { MailTemplateError } from './mail-template.error.js';
export { MailTemplateRenderError } from './mail-template-render.error.js';
export { MailTemplateNotFoundError } from './mail-template-not-found.error.js';
