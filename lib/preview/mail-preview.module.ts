import { Module, type DynamicModule } from '@nestjs/common';
import { ImproperlyConfiguredError } from '../index.js';
import { loadMailparser } from '../utils/load-mailparser.js';
import { createMailPreviewController } from './mail-preview.controller.js';
import {
  DEFAULT_MAIL_PREVIEW_PATH,
  MAILPARSER,
  MAIL_PREVIEW_OPTIONS,
} from './mail-preview.constants.js';
import type { MailPreviewModuleOptions } from './mail-preview.interfaces.js';
import { MailPreviewService } from './mail-preview.service.js';

const REFUSED_IN_PRODUCTION =
  'MailPreviewModule refuses to load when NODE_ENV=production: its page shows every mail the app ' +
  'sent (password-reset links included) to anyone who can reach the app. Import it only outside ' +
  "production, e.g. imports: [...(process.env.NODE_ENV === 'production' ? [] : [MailPreviewModule.register()])], " +
  'or pass force: true if this deployment is not public.';

/**
 * A development page that lists the mail the app sent, at `/_mail` by
 * default: subject, from, to and time, and for each message its HTML (in a
 * sandboxed iframe that runs no script and loads nothing remote), its text,
 * headers and attachments. Reads the app's `MailOutbox` (the `locmem`
 * backend) and/or what a development SMTP server received
 * (`startDebugSmtpServer()`).
 *
 * Opt-in, and refuses to load when `NODE_ENV` is `'production'` unless
 * `force: true`. Needs the optional peer dependency `mailparser`.
 *
 * @example
 * \@Module({
 *   imports: [
 *     MailModule.forRoot({ backend: 'locmem' }),
 *     ...(process.env.NODE_ENV === 'production' ? [] : [MailPreviewModule.register()]),
 *   ],
 * })
 * export class AppModule {}
 * @example
 * MailPreviewModule.register({ path: '/dev/mail', sources: ['outbox', DevMailServer] })
 */
@Module({})
export class MailPreviewModule {
  /**
   * Mounts the page. Fails at startup (with what to change) in production
   * without `force`, when `mailparser` is not installed, or when a source
   * cannot be found.
   */
  static register(options: MailPreviewModuleOptions = {}): DynamicModule {
    const path = options.path ?? DEFAULT_MAIL_PREVIEW_PATH;
    return {
      module: MailPreviewModule,
      controllers: [createMailPreviewController(path)],
      providers: [
        {
          provide: MAIL_PREVIEW_OPTIONS,
          useFactory: () => {
            if (process.env.NODE_ENV === 'production' && !options.force) {
              throw new ImproperlyConfiguredError(REFUSED_IN_PRODUCTION);
            }
            return options;
          },
        },
        {
          provide: MAILPARSER,
          useFactory: () => loadMailparser('MailPreviewModule'),
        },
        MailPreviewService,
      ],
    };
  }
}
