import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import {
  BaseEmailBackend,
  DEFAULT_MAILER,
  getMailerToken,
  LocmemEmailBackend,
  MAIL_MODULE_OPTIONS,
  MailerRegistry,
  MailOutbox,
  resolveBackendClass,
  type DeterministicRendering,
  type MailerConfig,
  type MailModuleOptions,
} from '../index.js';

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

/**
 * The user's options with every mailer replaced by the in-memory backend,
 * after checking that each configured backend exists (the registry resolves
 * the backend of the connections `getConnection()` makes from them too).
 */
function toOutbox(options: MailModuleOptions): MailModuleOptions {
  resolveBackendClass(options.backend, DEFAULT_MAILER);
  const mailers: Record<string, MailerConfig> = {};
  for (const [alias, config] of Object.entries(options.mailers ?? {})) {
    resolveBackendClass(config?.backend, alias);
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
      outbox: MailOutbox,
      defaultMailer: BaseEmailBackend,
    ) => {
      return new MailerRegistry(
        toOutbox(moduleOptions),
        outbox,
        new Map([[DEFAULT_MAILER, defaultMailer]]),
        options.deterministic ? { deterministic: options.deterministic } : {},
      );
    },
    inject: [MAIL_MODULE_OPTIONS, MailOutbox, BaseEmailBackend],
  });
  // The registry gives the default mailer its context (outbox, settings).
  builder
    .overrideProvider(BaseEmailBackend)
    .useFactory({ factory: () => new LocmemEmailBackend() });
  for (const alias of new Set(options.aliases ?? [])) {
    if (alias === DEFAULT_MAILER) continue;
    builder.overrideProvider(getMailerToken(alias)).useFactory({
      factory: (registry: MailerRegistry) => registry.get(alias),
      inject: [MailerRegistry],
    });
  }
  return builder;
}
/** What `getMailerToken(alias)` puts before a named alias. */
const TOKEN_PREFIX = String(getMailerToken(''));

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
      if (typeof token === 'string' && token.startsWith(TOKEN_PREFIX))
        aliases.add(token.slice(TOKEN_PREFIX.length));
    }
    (dynamic.imports ?? []).forEach(visit);
    visit(dynamic.module);
  };
  imports.forEach(visit);
  return [...aliases];
}
