import type { OnApplicationShutdown } from '@nestjs/common';
import type { BaseEmailBackend } from './backends/base.backend.js';
import { MailerDoesNotExistError } from './errors/mailer-does-not-exist.error.js';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER } from './mail.constants.js';
import type { MailSettings } from './mail-settings.js';
import { createBackend, type BackendContext } from './mailer.factory.js';
import type { MailOutbox } from './testing/mail-outbox.js';

/**
 * The mailers of one application: the default one and every named one. Owns
 * their long-lived connections, closed on shutdown.
 * @internal
 */
export class MailerRegistry implements OnApplicationShutdown {
  private readonly mailers = new Map<string, BaseEmailBackend>();

  constructor(
    readonly options: MailModuleOptions,
    readonly settings: MailSettings,
    readonly outbox: MailOutbox,
    provided: Map<string, BaseEmailBackend>,
  ) {
    for (const [alias, mailer] of provided) this.mailers.set(alias, mailer);
    for (const [alias, config] of Object.entries(options.mailers ?? {})) {
      if (!this.mailers.has(alias))
        this.mailers.set(alias, createBackend(config, this.context(alias)));
    }
    for (const mailer of this.mailers.values()) this.bind(mailer);
  }

  /** Lets a backend built from other mailers (failover, queue) find them here. */
  bind<T extends BaseEmailBackend>(backend: T): T {
    backend.bindMailers?.((alias) => this.get(alias));
    return backend;
  }

  /** The mailer with that alias. */
  get(alias: string = DEFAULT_MAILER): BaseEmailBackend {
    const mailer = this.mailers.get(alias);
    if (!mailer)
      throw new MailerDoesNotExistError(alias, [...this.mailers.keys()]);
    return mailer;
  }

  /** Context for a backend created for this application. */
  context(alias: string | null): BackendContext {
    return { settings: this.settings, outbox: this.outbox, alias };
  }

  /** Closes every mailer's connection once HTTP has drained. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(
      [...this.mailers.values()].map((mailer) => mailer.close()),
    );
  }
}
