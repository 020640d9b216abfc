import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/**
 * The error that stops `root` from starting (`init()`), or an
 * `Error('init succeeded')` when it starts; the module is closed either way.
 */
export async function initError(root: DynamicModule): Promise<Error> {
  const moduleRef = await Test.createTestingModule({
    imports: [root],
  }).compile();
  const err = await moduleRef.init().then(
    () => new Error('init succeeded'),
    (e: Error) => e,
  );
  await moduleRef.close().catch(() => undefined);
  return err;
}
