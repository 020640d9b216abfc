import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MailHealthCheckOptions } from './mail-health.indicator.js';

/** Options of `MailHealthModule`: the defaults of every `isHealthy()` check. */
export type MailHealthModuleOptions = MailHealthCheckOptions;

export const {
  ConfigurableModuleClass: MailHealthConfigurableModule,
  MODULE_OPTIONS_TOKEN: MAIL_HEALTH_OPTIONS,
  OPTIONS_TYPE: MAIL_HEALTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MAIL_HEALTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MailHealthModuleOptions>({
  moduleName: 'MailHealth',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMailHealthOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
