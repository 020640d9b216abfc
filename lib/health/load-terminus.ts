import type * as Terminus from '@nestjs/terminus';
import { importOptional } from '../utils/import-optional.js';

/** @internal Token of the loaded `@nestjs/terminus` module. */
export const TERMINUS = Symbol('nestjs-mail:terminus');

/** What to tell a user who uses the health indicator without `@nestjs/terminus`. */
export const INSTALL_TERMINUS =
  'Install @nestjs/terminus to use MailHealthModule: npm install @nestjs/terminus';

/**
 * Loads the optional peer dependency `@nestjs/terminus`, or throws an Error
 * that says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export function loadTerminus(
  importer: () => Promise<typeof Terminus> = () => import('@nestjs/terminus'),
): Promise<typeof Terminus> {
  return importOptional(importer, INSTALL_TERMINUS);
}
