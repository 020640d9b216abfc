import type * as Terminus from '@nestjs/terminus';

/** What to tell a user who uses the health indicator without `@nestjs/terminus`. */
export const INSTALL_TERMINUS =
  'Install @nestjs/terminus to use MailHealthIndicator: npm install @nestjs/terminus';

/**
 * Loads the optional peer dependency `@nestjs/terminus`, or throws an Error
 * that says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export async function loadTerminus(
  importer: () => Promise<typeof Terminus> = () => import('@nestjs/terminus'),
): Promise<typeof Terminus> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(INSTALL_TERMINUS, { cause: err });
    }
    throw err;
  }
}
