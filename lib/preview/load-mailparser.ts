import type * as Mailparser from 'mailparser';
import { importOptional } from '../utils/import-optional.js';

/** What to tell a user who enables the preview page without `mailparser`. */
export const INSTALL_MAILPARSER =
  'Install mailparser to use MailPreviewModule: npm install -D mailparser';

/** How `mailparser` is imported (a test can pass one that fails). */
export type MailparserImporter = () => Promise<typeof Mailparser>;

/**
 * Loads the optional peer dependency `mailparser`, or throws an Error that
 * says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export function loadMailparser(
  importer: MailparserImporter = () => import('mailparser'),
): Promise<typeof Mailparser> {
  return importOptional(importer, INSTALL_MAILPARSER);
}
