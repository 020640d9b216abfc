import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import { BaseEmailBackend } from '../backends/base.backend.js';
import { LocmemEmailBackend } from '../backends/locmem.backend.js';
import type {
  MailerConfig,
  MailModuleOptions,
} from '../interfaces/mail-module-options.interface.js';
import {
  DEFAULT_MAILER,
  MAIL_SETTINGS,
  MAILER_TOKEN_PREFIX,
} from '../mail.constants.js';
import { getMailerToken } from '../mail.decorators.js';
import { MAIL_MODULE_OPTIONS } from '../mail.module-definition.js';
import type { MailSettings } from '../mail-settings.js';
import { backendClass, configure } from '../mailer.factory.js';
import { MailerRegistry } from '../mailer.registry.js';
import type { DeterministicRendering } from '../message/deterministic.js';
import { MailOutbox } from './mail-outbox.js';

/** Options of `MailTestingModule.createTestingModule()` and `overrideMailers()`. */
export interface MailTestingOptions {
  /**
   * Render the mail the mailers store deterministically (fixed Date,
   * Message-ID and boundaries), so the bytes behind `renderMail(...).raw`
   * can be snapshotted. See `MessageSettings.deterministic`.
   * @default false
   */
  deterministic?: boolean | DeterministicRendering;
  /**
   * Named mailers to override under their `@InjectMailer(alias)` token, in
   * addition to the ones found by scanning the imports.
   * @default []
   */
  aliases?: string[];
}

/** An in-memory mailer for `alias`, writing to the app's outbox. */
function outboxMailer(
  alias: string,
  settings: MailSettings,
  outbox: MailOutbox,
  options: MailTestingOptions,
): BaseEmailBackend {
  return testingSettings(
    configure(new LocmemEmailBackend({}, outbox), { settings, outbox, alias }),
    options,
  );
}

function testingSettings(
  backend: BaseEmailBackend,
  options: MailTestingOptions,
): BaseEmailBackend {
  if (options.deterministic)
    backend.messageSettings.deterministic = options.deterministic;
  return backend;
}

/**
 * The user's options with every mailer replaced by the in-memory backend,
 * after checking that each configured backend exists.
 */
function toOutbox(options: MailModuleOptions): MailModuleOptions {
  backendClass(options.backend, DEFAULT_MAILER);
  const mailers: Record<string, MailerConfig> = {};
  for (const [alias, config] of Object.entries(options.mailers ?? {})) {
    backendClass(config?.backend, alias);
    mailers[alias] = { backend: 'locmem' };
  }
  return { ...options, backend: 'locmem', options: {}, mailers };
}

/** Overrides `MailerRegistry`, the default mailer and the named mailer tokens on a builder. */
export function overrideMailers(
  builder: TestingModuleBuilder,
  options: MailTestingOptions,
): TestingModuleBuilder {
  builder.overrideProvider(MailerRegistry).useFactory({
    factory: (
      moduleOptions: MailModuleOptions,
      settings: MailSettings,
      outbox: MailOutbox,
      defaultMailer: BaseEmailBackend,
    ) => {
      const rewritten = toOutbox(moduleOptions);
      const provided = new Map([
        [
          DEFAULT_MAILER,
          testingSettings(
            configure(defaultMailer, {
              settings,
              outbox,
              alias: DEFAULT_MAILER,
            }),
            options,
          ),
        ],
      ]);
      for (const alias of Object.keys(rewritten.mailers ?? {}))
        provided.set(alias, outboxMailer(alias, settings, outbox, options));
      return new MailerRegistry(rewritten, settings, outbox, provided);
    },
    inject: [MAIL_MODULE_OPTIONS, MAIL_SETTINGS, MailOutbox, BaseEmailBackend],
  });
  for (const alias of new Set([DEFAULT_MAILER, ...(options.aliases ?? [])])) {
    builder.overrideProvider(getMailerToken(alias)).useFactory({
      factory: (settings: MailSettings, outbox: MailOutbox) =>
        outboxMailer(alias, settings, outbox, options),
      inject: [MAIL_SETTINGS, MailOutbox],
    });
  }
  return builder;
}

type ImportItem = NonNullable<ModuleMetadata['imports']>[number] | undefined;

/**
 * Aliases of the named mailers provided (for `@InjectMailer`) by the
 * `MailModule` registrations among these imports, at any depth. Modules
 * imported as a Promise are not scanned.
 */
export function findMailerAliases(imports: readonly ImportItem[]): string[] {
  const aliases = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (item: ImportItem): void => {
    if (!item || seen.has(item) || item instanceof Promise) return;
    seen.add(item);
    if ('forwardRef' in item && typeof item.forwardRef === 'function')
      return visit(item.forwardRef());
    if (typeof item === 'function') {
      const nested: ImportItem[] = Reflect.getMetadata('imports', item) ?? [];
      nested.forEach(visit);
      return;
    }
    const dynamic = item as DynamicModule;
    for (const provider of dynamic.providers ?? []) {
      const token =
        typeof provider === 'object' && 'provide' in provider
          ? provider.provide
          : undefined;
      if (typeof token === 'string' && token.startsWith(MAILER_TOKEN_PREFIX))
        aliases.add(token.slice(MAILER_TOKEN_PREFIX.length));
    }
    (dynamic.imports ?? []).forEach(visit);
    visit(dynamic.module);
  };
  imports.forEach(visit);
  return [...aliases];
}
