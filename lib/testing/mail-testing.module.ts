import {
  Module,
  type MiddlewareConsumer,
  type ModuleMetadata,
  type NestModule,
} from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { joinMailCapture, MAIL_CAPTURE_HEADER } from '../index.js';
import {
  findMailerAliases,
  overrideMailers,
  type MailTestingOptions,
} from './mail-testing.providers.js';

/** Express- and Fastify-style middleware that joins the capture named by the request header. */
function mailCaptureMiddleware(
  req: { headers: Record<string, string | string[] | undefined> },
  _res: unknown,
  next: () => void,
): void {
  const id = req.headers[MAIL_CAPTURE_HEADER];
  joinMailCapture(Array.isArray(id) ? id[0] : id, next);
}

/**
 * Testing support for apps that use `MailModule`.
 *
 * `MailTestingModule.createTestingModule(metadata)` is
 * `Test.createTestingModule(metadata)` with every mailer of the app (the
 * default one and every named one, including those only known from
 * `forRootAsync` options) delivering into the app's `MailOutbox`, recording
 * the alias used. Nothing connects anywhere. The configuration is still read
 * and checked (an unknown backend name still fails).
 *
 * Imported as a module, it lets `outbox.capture()` follow HTTP requests that
 * carry `capture.headers` into their handlers.
 *
 * @example
 * const moduleRef = await MailTestingModule.createTestingModule({
 *   imports: [AppModule],
 * }).compile();
 * const app = moduleRef.createNestApplication();
 * await app.init();
 * const outbox = app.get(MailOutbox);
 */
@Module({})
export class MailTestingModule implements NestModule {
  /**
   * `Test.createTestingModule(metadata)` with `MailTestingModule` imported and
   * every mailer overridden to deliver into the `MailOutbox`. Returns the
   * builder, so more overrides can follow before `compile()`.
   *
   * Mailers injected with `@InjectMailer(alias)` are found by scanning the
   * imported modules; a module imported as a Promise is not scanned: pass
   * its aliases in `options.aliases`.
   */
  static createTestingModule(
    metadata: ModuleMetadata,
    options: MailTestingOptions = {},
  ): TestingModuleBuilder {
    const builder = Test.createTestingModule({
      ...metadata,
      imports: [...(metadata.imports ?? []), MailTestingModule],
    });
    const aliases = [
      ...findMailerAliases(metadata.imports ?? []),
      ...(options.aliases ?? []),
    ];
    return overrideMailers(builder, { ...options, aliases });
  }

  /**
   * Applies the mail overrides to a builder you created yourself. Named
   * mailers injected with `@InjectMailer(alias)` are only overridden when
   * listed in `options.aliases`; `MailService` sends through every mailer
   * to the outbox either way. Import `MailTestingModule` in the testing
   * module too if captures should follow HTTP requests.
   *
   * @example
   * MailTestingModule.overrideMailers(
   *   Test.createTestingModule({ imports: [AppModule, MailTestingModule] }),
   *   { aliases: ['bulk'] },
   * )
   */
  static overrideMailers(
    builder: TestingModuleBuilder,
    options: MailTestingOptions = {},
  ): TestingModuleBuilder {
    return overrideMailers(builder, options);
  }

  /** Installs the middleware that carries `outbox.capture()` into HTTP handlers. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(mailCaptureMiddleware).forRoutes('*');
  }
}
