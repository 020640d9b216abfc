import { Module, type DynamicModule } from '@nestjs/common';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
} from './mail.module-definition.js';
import { injectedMailerAliases } from './mail.decorators.js';
import { createMailProviders, mailExports } from './mail.providers.js';

/**
 * Registers the mailers as providers and exports `MailService`, `MailOutbox`,
 * `MailerRegistry`, the default mailer (token `BaseEmailBackend`) and the
 * named mailers (`getMailerToken(alias)`). Global unless `isGlobal: false`.
 * Connections are opened on first use and closed on `app.close()`.
 *
 * @example
 * MailModule.forRoot({ backend: 'console', defaultFromEmail: 'noreply@example.com' })
 * @example
 * MailModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ options: { url: config.getOrThrow('EMAIL_URL') } }),
 * })
 */
@Module({})
export class MailModule extends ConfigurableModuleClass {
  /** Configures the module with options known at import time. */
  static forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withMailers(
      super.forRoot(options),
      Object.keys(options.mailers ?? {}),
    );
  }

  /**
   * Configures the module from a factory, class or existing provider (e.g.
   * `ConfigService`). Every alias you inject with `@InjectMailer(alias)` is
   * provided (the decorator records it, so there is no list to repeat);
   * `using` works for every configured alias.
   */
  static forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withMailers(super.forRootAsync(options), injectedMailerAliases());
  }
}

function withMailers(module: DynamicModule, aliases: string[]): DynamicModule {
  return {
    ...module,
    providers: [...(module.providers ?? []), ...createMailProviders(aliases)],
    exports: [...(module.exports ?? []), ...mailExports(aliases)],
  };
}
