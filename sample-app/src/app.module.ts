import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { MailModule } from 'nestjs-mail';
import { MailPreviewModule } from 'nestjs-mail/preview';
import { MailTemplates, MailTemplatesModule } from 'nestjs-mail/templates';
import { join } from 'node:path';
import { BoomController } from './boom.controller.js';
import { ContactController } from './contact.controller.js';
import { DEV_MAIL_STREAM, DevMailServer } from './dev-mail-server.js';
import { loadOrCreateDkimKey } from './dkim-key.js';
import { ErrorMailFilter } from './error-mail.filter.js';
import { SignupController } from './signup.controller.js';

@Module({
  providers: [
    DevMailServer,
    { provide: DEV_MAIL_STREAM, useValue: process.stdout },
  ],
  exports: [DevMailServer],
})
export class DevMailServerModule {}

// The signup mail's templates; `npm run build` copies them next to dist/main.js.
const templates = MailTemplatesModule.forRoot({
  dir: join(import.meta.dirname, 'templates'),
});

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    MailModule.forRootAsync({
      imports: [DevMailServerModule],
      inject: [ConfigService, DevMailServer],
      useFactory: async (config: ConfigService, devServer: DevMailServer) => ({
        backend: 'smtp',
        options: {
          url: config.get<string>('EMAIL_URL') || (await devServer.url()),
          timeout: 10,
          // Signed with a key generated on first start (git-ignored); publish
          // its public half as <selector>._domainkey.<domain> (see docs/deliverability.md).
          dkim: loadOrCreateDkimKey(
            config.get('DKIM_KEY_FILE') ||
              join(import.meta.dirname, '..', '.dkim', 'private.pem'),
            config.get('DKIM_DOMAIN') || 'example.com',
            config.get('DKIM_SELECTOR') || 'sample',
          ),
        },
        defaultFromEmail:
          config.get('DEFAULT_FROM_EMAIL') || 'webmaster@localhost',
        serverEmail: config.get('SERVER_EMAIL') || 'root@localhost',
        admins: (
          config.get<string>('ADMINS') || 'Site Admin <admin@example.com>'
        )
          .split(',')
          .map((a) => a.trim()),
        subjectPrefix: '[Sample] ',
      }),
    }),
    templates,
    // The sent-mail page at /_mail and the template previews at /_mail/templates:
    // on only when NODE_ENV is exactly 'development' (`npm start` sets it), and
    // then for loopback clients only.
    MailPreviewModule.forRootAsync({
      imports: [DevMailServerModule, templates],
      inject: [ConfigService, DevMailServer, MailTemplates],
      useFactory: (
        config: ConfigService,
        devServer: DevMailServer,
        mailTemplates: MailTemplates,
      ) => ({
        enabled: config.get('NODE_ENV') === 'development',
        sources: ['outbox', devServer],
        templates: mailTemplates,
        samples: {
          welcome: {
            default: { name: 'Ada', startUrl: 'https://example.com/start' },
          },
        },
      }),
    }),
  ],
  controllers: [ContactController, SignupController, BoomController],
  providers: [{ provide: APP_FILTER, useClass: ErrorMailFilter }],
})
export class AppModule {}
