import type { FactoryProvider, Provider } from '@nestjs/common';
import { BaseEmailBackend } from './backends/base.backend.js';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER, MAIL_SETTINGS } from './mail.constants.js';
import { getMailerToken } from './mail.decorators.js';
import { MAIL_MODULE_OPTIONS } from './mail.module-definition.js';
import { MailService } from './mail.service.js';
import { resolveMailSettings, type MailSettings } from './mail-settings.js';
import { configure, createBackend } from './mailer.factory.js';
import { MailerRegistry } from './mailer.registry.js';
import { MailOutbox } from './testing/mail-outbox.js';

/**
 * The module's providers. Each is a factory that injects the options token, so
 * a provider overridden in a TestingModule (`BaseEmailBackend`, a mailer token,
 * `MailOutbox`) is the one every other provider receives.
 */
export function createMailProviders(aliases: string[]): Provider[] {
  const all = [
    DEFAULT_MAILER,
    ...aliases.filter((alias) => alias !== DEFAULT_MAILER),
  ];
  const mailers: FactoryProvider[] = all.map((alias) => ({
    provide: getMailerToken(alias),
    useFactory: (
      options: MailModuleOptions,
      settings: MailSettings,
      outbox: MailOutbox,
    ) => {
      const config =
        alias === DEFAULT_MAILER ? options : options.mailers?.[alias];
      if (!config) {
        throw new Error(
          `Mailer '${alias}' is listed in mailerAliases but missing from MailModule's "mailers" option.`,
        );
      }
      return createBackend(config, { settings, outbox, alias });
    },
    inject: [MAIL_MODULE_OPTIONS, MAIL_SETTINGS, MailOutbox],
  }));
  return [
    {
      provide: MAIL_SETTINGS,
      useFactory: resolveMailSettings,
      inject: [MAIL_MODULE_OPTIONS],
    },
    { provide: MailOutbox, useFactory: () => new MailOutbox() },
    ...mailers,
    {
      provide: MailerRegistry,
      useFactory: (
        options: MailModuleOptions,
        settings: MailSettings,
        outbox: MailOutbox,
        ...instances: BaseEmailBackend[]
      ) => {
        // An overriding class (e.g. LocmemEmailBackend via useClass) gets the alias and settings here.
        const provided = new Map(
          all.map((alias, i) => [
            alias,
            configure(instances[i], { settings, outbox, alias }),
          ]),
        );
        return new MailerRegistry(options, settings, outbox, provided);
      },
      inject: [
        MAIL_MODULE_OPTIONS,
        MAIL_SETTINGS,
        MailOutbox,
        ...mailers.map((p) => p.provide),
      ],
    },
    {
      provide: MailService,
      useFactory: (registry: MailerRegistry) => new MailService(registry),
      inject: [MailerRegistry],
    },
  ];
}

/** Tokens the module exports: the service, the outbox and every mailer it provides. */
export function mailExports(
  aliases: string[],
): Array<
  string | typeof BaseEmailBackend | typeof MailService | typeof MailOutbox
> {
  return [
    MailService,
    MailOutbox,
    ...new Set([DEFAULT_MAILER, ...aliases]),
  ].map((item) => (typeof item === 'string' ? getMailerToken(item) : item));
}
