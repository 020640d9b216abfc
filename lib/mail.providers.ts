import type { Abstract, FactoryProvider, Provider, Type } from '@nestjs/common';
import { BaseEmailBackend } from './backends/base.backend.js';
import { MailerDoesNotExistError } from './errors/mailer-does-not-exist.error.js';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER, MAIL_SETTINGS } from './mail.constants.js';
import { getMailerToken } from './mail.decorators.js';
import { MAIL_MODULE_OPTIONS } from './mail.module-definition.js';
import { MailService } from './mail.service.js';
import { resolveMailSettings, type MailSettings } from './mail-settings.js';
import { createBackend, messageSettingsOf } from './mailer.factory.js';
import { MailerRegistry } from './mailer.registry.js';
import { MailOutbox } from './outbox/mail-outbox.js';

/**
 * Stands for an alias that `@InjectMailer` names but this application does
 * not configure (another app of the process may): it starts, and fails with
 * {@link MailerDoesNotExistError} on first use.
 */
class UnconfiguredMailer extends BaseEmailBackend {
  constructor(
    private readonly missing: string,
    private readonly configured: string[],
  ) {
    super();
  }

  sendMessages(): Promise<number> {
    return Promise.reject(
      new MailerDoesNotExistError(this.missing, this.configured),
    );
  }
}

/**
 * The module's providers. Each is a factory that injects the options token, so
 * a provider overridden in a TestingModule (`BaseEmailBackend`, a mailer token,
 * `MailOutbox`) is the one every other provider receives. Every alias in
 * `aliases` is a provider of its own (created by DI, with lifecycle hooks);
 * the registry creates the other configured ones.
 */
export function createMailProviders(aliases: string[]): Provider[] {
  const all = [
    DEFAULT_MAILER,
    ...new Set(aliases.filter((alias) => alias !== DEFAULT_MAILER)),
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
        const configured = Object.keys(options.mailers ?? {});
        return new UnconfiguredMailer(alias, [DEFAULT_MAILER, ...configured]);
      }
      const messageSettings = messageSettingsOf(settings);
      return createBackend(config, { alias, messageSettings, outbox });
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
        const provided = new Map(
          all
            .map((alias, i) => [alias, instances[i]] as const)
            .filter(([, mailer]) => !(mailer instanceof UnconfiguredMailer)),
        );
        return new MailerRegistry(options, outbox, provided, {}, settings);
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

/** Tokens the module exports: the service, the outbox, the registry and every mailer it provides. */
export function mailExports(
  aliases: string[],
): Array<string | Type | Abstract<unknown>> {
  return [
    MailService,
    MailOutbox,
    MailerRegistry,
    ...[...new Set([DEFAULT_MAILER, ...aliases])].map((a) => getMailerToken(a)),
  ];
}
