/**
 * `nestjs-mail/health`: a `@nestjs/terminus` health indicator for the SMTP
 * mailers. Needs the optional peer `@nestjs/terminus`.
 *
 * @packageDocumentation
 */
export { MailHealthModule } from './mail-health.module.js';
export {
  MAIL_HEALTH_OPTIONS,
  type MailHealthModuleOptions,
} from './mail-health.module-definition.js';
export {
  MailHealthIndicator,
  type MailHealthCheckOptions,
  type MailerHealth,
} from './mail-health.indicator.js';
