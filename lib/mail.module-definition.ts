import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';

/** Extras of `forRoot`/`forRootAsync` that are not part of the options value. */
export interface MailModuleExtras {
  /** Register the module globally, so feature modules need not import it. */
  isGlobal?: boolean;
  /**
   * Aliases of named mailers to provide as `@InjectMailer(alias)` when the
   * options come from `forRootAsync` (with `forRoot` they are read from `mailers`).
   */
  mailerAliases?: string[];
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MAIL_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MailModuleOptions>({ moduleName: 'Mail' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMailOptions')
  .setExtras<MailModuleExtras>(
    { isGlobal: false, mailerAliases: [] },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
