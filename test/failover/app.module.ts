import { Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailModule } from '../../lib/mail.module.js';
import { CaptureLogger } from './capture-logger.js';

@Module({})
class FailoverAppModule {}

/** An app that only sends mail, through the mailers of `mail`. */
export function failoverApp(mail: MailModuleOptions): DynamicModule {
  return { module: FailoverAppModule, imports: [MailModule.forRoot(mail)] };
}

/** Compiles and initialises {@link failoverApp}, logging into a {@link CaptureLogger}. */
export async function bootFailoverApp(
  mail: MailModuleOptions,
): Promise<{ app: TestingModule; logger: CaptureLogger }> {
  const logger = new CaptureLogger();
  const app = await Test.createTestingModule({ imports: [failoverApp(mail)] })
    .setLogger(logger)
    .compile();
  await app.init();
  return { app, logger };
}
