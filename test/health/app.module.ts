import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TerminusModule,
} from '@nestjs/terminus';
import {
  MailHealthIndicator,
  MailHealthModule,
} from '../../lib/health/index.js';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailModule } from '../../lib/mail.module.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mail: MailHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.mail.isHealthy('mail', { timeout: 1000 }),
    ]);
  }
}

@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    MailHealthModule.forRoot({}),
  ],
  controllers: [HealthController],
})
class HealthModule {}

@Module({})
class HealthAppModule {}

/** An app whose mailers are `mail`, with `GET /health` from terminus. */
export function healthApp(mail: MailModuleOptions): DynamicModule {
  return {
    module: HealthAppModule,
    imports: [MailModule.forRoot(mail), HealthModule],
  };
}
