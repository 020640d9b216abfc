import { importOptional } from '../utils/import-optional.js';

/**
 * Imports the package of the engine of `.ext` files, or fails with
 * `Templates ending in .<ext> need <name>: npm install <pkg>`.
 */
export function importEngine<T>(
  ext: string,
  name: string,
  pkg: string,
  importer: () => Promise<T>,
): Promise<T> {
  return importOptional(
    importer,
    `Templates ending in .${ext} need ${name}: npm install ${pkg}`,
  );
}

/**
 * The first group of `pattern` in the message of `error`: how an engine reads
 * the name of a missing variable from its own render error.
 */
export function errorGroup(
  error: unknown,
  pattern: RegExp,
): string | undefined {
  return error instanceof Error ? pattern.exec(error.message)?.[1] : undefined;
}
