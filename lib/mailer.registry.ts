import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  ATTACH_CONTEXT,
  type BaseEmailBackend,
} from './backends/base.backend.js';
import type { MailerContext } from './backends/mailer-context.js';
import { MailerDoesNotExistError } from './errors/mailer-does-not-exist.error.js';
import type {
  MailerConfig,
  MailModuleOptions,
} from './interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER } from './mail.constants.js';
import { resolveMailSettings, type MailSettings } from './mail-settings.js';
import type { MessageSettings } from './message/message-settings.js';
import { createBackend, messageSettingsOf } from './mailer.factory.js';
import type { MailOutbox } from './outbox/mail-outbox.js';

/** A mailer's lifecycle hooks, run by the registry for the mailers it creates itself. */
interface MailerHooks {
  onModuleInit?(): unknown;
}

/**
 * The mailers of one application: the default one and every named one, by
 * alias. Inject it to reach mailers by name at run time (health checks,
 * queue workers, previews); send mail with `MailService`.
 *
 * It owns their long-lived connections: `app.close()` closes every mailer
 * once HTTP has drained.
 *
 * @example
 * constructor(private readonly mailers: MailerRegistry) {}
 * for (const alias of this.mailers.aliases()) console.log(alias, this.mailers.get(alias).constructor.name);
 */
export class MailerRegistry implements OnModuleInit, OnApplicationShutdown {
  readonly #mailers = new Map<string, BaseEmailBackend>();
  /** Mailers no provider created (named ones nothing injects): their init hooks run here. */
  readonly #own: BaseEmailBackend[] = [];
  readonly #options: MailModuleOptions;
  readonly #context: Omit<MailerContext, 'alias'>;
  /** The module's settings, with defaults applied (Django's email settings). */
  readonly settings: Readonly<MailSettings>;

  /**
   * @internal Created by `MailModule` with the mailers its providers made;
   * it creates the other configured ones itself.
   */
  constructor(
    options: MailModuleOptions,
    outbox: MailOutbox,
    provided: ReadonlyMap<string, BaseEmailBackend>,
    /** Merged over every mailer's message settings (`nestjs-mail/testing`: deterministic rendering). */
    messageSettings: Partial<MessageSettings> = {},
    /** `options` with defaults applied and checked, when the module already resolved them. */
    settings: MailSettings = resolveMailSettings(options),
  ) {
    this.#options = options;
    this.settings = settings;
    this.#context = {
      messageSettings: {
        ...messageSettingsOf(this.settings),
        ...messageSettings,
      },
      outbox,
    };
    for (const [alias, mailer] of provided) {
      // A provider overridden with a class (useClass) gets its context here.
      this.#mailers.set(alias, mailer[ATTACH_CONTEXT](this.contextOf(alias)));
    }
    for (const [alias, config] of Object.entries(options.mailers ?? {})) {
      if (this.#mailers.has(alias)) continue;
      const mailer = createBackend(config, this.contextOf(alias));
      this.#mailers.set(alias, mailer);
      this.#own.push(mailer);
    }
    for (const mailer of this.#mailers.values()) {
      mailer.bindMailers?.((alias) => this.get(alias));
    }
  }

  /** Every configured alias, `'default'` first. */
  aliases(): string[] {
    return [...this.#mailers.keys()];
  }

  /**
   * The mailer with that alias (the shared one `MailService` sends through).
   * @throws MailerDoesNotExistError naming the configured aliases.
   */
  get(alias: string = DEFAULT_MAILER): BaseEmailBackend {
    const mailer = this.#mailers.get(alias);
    if (!mailer)
      throw new MailerDoesNotExistError(alias, [...this.#mailers.keys()]);
    return mailer;
  }

  /**
   * A new connection of a configured mailer, never shared: the caller opens
   * and closes it (`await using`). `options` are merged over the mailer's.
   * This is what `MailService.getConnection()` returns for the default mailer.
   *
   * @throws MailerDoesNotExistError for an unknown alias.
   */
  createConnection(
    alias: string = DEFAULT_MAILER,
    options: object = {},
  ): BaseEmailBackend {
    const config = this.#configOf(alias);
    return this.create({
      backend: config.backend,
      options: { ...(config.options ?? {}), ...options },
    } as MailerConfig);
  }

  /** A backend of this application from a configuration, with alias `null` (as `getConnection()` makes). */
  create(config: MailerConfig): BaseEmailBackend {
    const backend = createBackend(config, this.contextOf(null));
    backend.bindMailers?.((alias) => this.get(alias));
    return backend;
  }

  /** The configuration of a mailer, as given to the module. */
  #configOf(alias: string): MailerConfig {
    const config =
      alias === DEFAULT_MAILER ? this.#options : this.#options.mailers?.[alias];
    if (!config) throw new MailerDoesNotExistError(alias, this.aliases());
    return config;
  }

  /**
   * The context a mailer of this application is created with: give it to a
   * backend you construct yourself (`new MyBackend(options, registry.contextOf('x'))`).
   */
  contextOf(alias: string | null): MailerContext {
    return { ...this.#context, alias };
  }

  /** Runs the init hooks of the mailers no provider created, so they fail at startup too. */
  async onModuleInit(): Promise<void> {
    for (const mailer of this.#own)
      await (mailer as BaseEmailBackend & MailerHooks).onModuleInit?.();
  }

  /** Closes every mailer's connection once HTTP has drained. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(
      [...this.#mailers.values()].map((mailer) => mailer.close()),
    );
  }
}
