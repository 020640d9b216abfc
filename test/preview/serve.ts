import type {
  DynamicModule,
  INestApplication,
  LoggerService,
} from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

/** How {@link createApp} builds the app. */
export interface CreateAppOptions {
  /** The app's logger; silent when left out. */
  logger?: LoggerService | false;
  /** Close keep-alive connections on `app.close()` (a browser keeps them open). */
  forceCloseConnections?: boolean;
  /** Adjusts the testing module before it compiles (e.g. `overrideProvider`). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** The Nest application of `root`, compiled, not yet listening. */
export async function createApp(
  root: DynamicModule,
  { logger = false, forceCloseConnections, override }: CreateAppOptions = {},
): Promise<INestApplication> {
  const builder = Test.createTestingModule({ imports: [root] });
  const moduleRef = await (override ? override(builder) : builder).compile();
  return moduleRef.createNestApplication({ logger, forceCloseConnections });
}

/** Starts `app` on 127.0.0.1, port 0, and returns its base URL. */
export async function listenLocal(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

/** GETs `path` below `base`: the response and its body. */
export async function fetchPage(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; body: string }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { res, body: await res.text() };
}
