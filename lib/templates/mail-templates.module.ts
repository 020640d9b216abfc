import { Module } from '@nestjs/common';
import { MailTemplates } from './mail-templates.service.js';
import { MailTemplatesConfigurableModule } from './mail-templates.module-definition.js';

/**
 * Mail templates: file templates (Handlebars, EJS, Pug, Liquid, MJML) found
 * and compiled when the application starts, and templates as code (typed
 * functions, React). Provides {@link MailTemplates}.
 *
 * @example
 * \@Module({
 *   imports: [
 *     MailModule.forRoot({ defaultFromEmail: 'hello@example.com' }),
 *     MailTemplatesModule.forRoot({ dir: join(import.meta.dirname, 'templates'), isGlobal: true }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({ providers: [MailTemplates], exports: [MailTemplates] })
export class MailTemplatesModule extends MailTemplatesConfigurableModule {}
