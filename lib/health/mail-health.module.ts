import { Module } from '@nestjs/common';
import { loadTerminus, TERMINUS } from './load-terminus.js';
import { MailHealthIndicator } from './mail-health.indicator.js';
import { MailHealthConfigurableModule } from './mail-health.module-definition.js';

/**
 * Provides {@link MailHealthIndicator} for `@nestjs/terminus` health checks.
 * Loads `@nestjs/terminus` when the module initialises, so a missing package
 * stops the app at startup with the install command.
 *
 * @example
 * \@Module({
 *   imports: [TerminusModule, MailModule.forRoot({ ... }), MailHealthModule.forRoot({ timeout: 3000 })],
 *   controllers: [HealthController],
 * })
 * export class AppModule {}
 */
@Module({
  providers: [
    { provide: TERMINUS, useFactory: () => loadTerminus() },
    MailHealthIndicator,
  ],
  exports: [MailHealthIndicator],
})
export class MailHealthModule extends MailHealthConfigurableModule {}
