import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';

/** Extras of `forRoot`/`forRootAsync` that are not part of the options value. */
export interface MailModuleExtras {
  /**
   * Register the module globally, so feature modules (and the add-on modules:
   * queue worker, health, preview) can inject `MailService`, `MailOutbox`,
   * `MailerRegistry` and the mailers without importing it. With `false`,
   * import `MailModule` into every module that injects them.
   * @default true
   */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MAIL_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MailModuleOptions>({ moduleName: 'Mail' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMailOptions')
  .setExtras<MailModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
