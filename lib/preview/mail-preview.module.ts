import { Module, type DynamicModule } from '@nestjs/common';
import {
  loadMailparser,
  type MailparserImporter,
} from '../utils/load-mailparser.js';
import {
  MAILPARSER,
  MAILPARSER_IMPORTER,
  MAIL_PREVIEW_OPTIONS,
} from './mail-preview.constants.js';
import type { MailPreviewModuleOptions } from './mail-preview.interfaces.js';
import {
  ConfigurableModuleClass,
  type MailPreviewModuleRootOptions,
} from './mail-preview.module-definition.js';
import { MailPreviewService } from './mail-preview.service.js';
import { TemplatePreviewService } from './template-preview.service.js';

/**
 * A development page that lists the mail the app sent, at `/_mail` by
 * default: subject, from, to and time, and for each message its HTML (in a
 * sandboxed iframe that runs no script and loads nothing remote), its text,
 * headers and attachments. Reads the app's `MailOutbox` (the `locmem`
 * backend) and/or what a development SMTP server received
 * (`startDebugSmtpServer()`). Given the app's templates (`templates`,
 * `samples`), it also previews each template rendered with sample contexts
 * at `/_mail/templates`, sending nothing.
 *
 * Off unless `enabled: true`, and then it answers loopback clients only
 * (see `allow`); everyone else gets a plain 404. When enabled it needs the
 * optional peer dependency `mailparser`, loaded at startup.
 *
 * @example
 * \@Module({
 *   imports: [
 *     MailModule.forRoot({ backend: 'locmem' }),
 *     MailPreviewModule.forRoot({ enabled: process.env.NODE_ENV === 'development' }),
 *   ],
 * })
 * export class AppModule {}
 * @example
 * MailPreviewModule.forRootAsync({
 *   path: '/dev/mail',
 *   imports: [DevMailServerModule],
 *   inject: [ConfigService, DevMailServer],
 *   useFactory: (config: ConfigService, devServer: DevMailServer) => ({
 *     enabled: config.get('NODE_ENV') === 'development',
 *     sources: ['outbox', devServer],
 *   }),
 * })
 * @example
 * MailPreviewModule.forRootAsync({
 *   inject: [MailTemplates],
 *   useFactory: (templates: MailTemplates) => ({
 *     enabled: process.env.NODE_ENV === 'development',
 *     templates,
 *     samples: { welcome: { default: { name: 'Ada' } } },
 *   }),
 * })
 */
@Module({
  providers: [
    {
      provide: MAILPARSER_IMPORTER,
      useValue: (() => import('mailparser')) satisfies MailparserImporter,
    },
    {
      provide: MAILPARSER,
      inject: [MAIL_PREVIEW_OPTIONS, MAILPARSER_IMPORTER],
      useFactory: (
        options: MailPreviewModuleOptions,
        importer: MailparserImporter,
      ) =>
        options.enabled === true
          ? loadMailparser('MailPreviewModule', importer)
          : null,
    },
    MailPreviewService,
    TemplatePreviewService,
  ],
})
export class MailPreviewModule extends ConfigurableModuleClass {
  /**
   * @deprecated Use {@link MailPreviewModule.forRoot}, which takes the same
   * options (and, like it, needs `enabled`).
   */
  static register(options: MailPreviewModuleRootOptions): DynamicModule {
    return this.forRoot(options);
  }
}
