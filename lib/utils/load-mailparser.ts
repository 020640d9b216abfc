import type * as Mailparser from 'mailparser';
import { importOptional } from './import-optional.js';

/** How `mailparser` is imported (a test can pass one that fails). */
export type MailparserImporter = () => Promise<typeof Mailparser>;

/**
 * Loads the optional peer dependency `mailparser`, or throws an Error that
 * says how to install it for `feature`.
 *
 * @param feature what needs it, e.g. `'MailPreviewModule'`.
 * @param importer how to import it (a test can pass a failing importer).
 */
export function loadMailparser(
  feature: string,
  importer: MailparserImporter = () => import('mailparser'),
): Promise<typeof Mailparser> {
  return importOptional(
    importer,
    `Install mailparser to use ${feature}: npm install -D mailparser`,
  );
}
