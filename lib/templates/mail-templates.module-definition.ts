import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MailTemplatesOptions } from './mail-templates-options.interface.js';

/** Extras of `forRoot`/`forRootAsync` that are not part of the options value. */
export interface MailTemplatesModuleExtras {
  /**
   * Register the module globally, so feature modules need not import it.
   * @default false
   */
  isGlobal?: boolean;
}

/**
 * `MailTemplatesConfigurableModule`: the base of `MailTemplatesModule`, with
 * `forRoot()` and `forRootAsync()`. `MAIL_TEMPLATES_OPTIONS`: the token of
 * the {@link MailTemplatesOptions} value (override it in a test to change
 * the options).
 */
export const {
  ConfigurableModuleClass: MailTemplatesConfigurableModule,
  MODULE_OPTIONS_TOKEN: MAIL_TEMPLATES_OPTIONS,
} = new ConfigurableModuleBuilder<MailTemplatesOptions>({
  moduleName: 'MailTemplates',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMailTemplatesOptions')
  .setExtras<MailTemplatesModuleExtras>(
    { isGlobal: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
