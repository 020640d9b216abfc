import { createRequire } from 'node:module';

/**
 * Imports an optional peer dependency. When the package is not installed,
 * throws an Error with `install` (what to run) instead of Node's
 * module-not-found error; any other failure is rethrown as it is.
 */
export async function importOptional<T>(
  importer: () => Promise<T>,
  install: string,
): Promise<T> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(install, { cause: err });
    }
    throw err;
  }
}

/**
 * Loads an optional CommonJS peer synchronously, for the few places that run
 * while a provider is created (the mailer factory is synchronous, and a
 * missing package must stop the application at startup, not at first send).
 * Same errors as {@link importOptional}.
 */
export function requireOptional<T>(specifier: string, install: string): T {
  try {
    return createRequire(import.meta.url)(specifier) as T;
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND')
      throw new Error(install, { cause: err });
    throw err;
  }
}
