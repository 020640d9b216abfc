import type * as Mailparser from 'mailparser';
import { importOptional } from '../utils/import-optional.js';

/** What to tell a user who reads rendered mail without `mailparser`. */
export const INSTALL_MAILPARSER_FOR_TESTS =
  'Install mailparser to read rendered mail in tests (renderMail, toHaveSentMail): npm install -D mailparser';

/**
 * Loads the optional peer dependency `mailparser`, or throws an Error that
 * says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export function loadMailparser(
  importer: () => Promise<typeof Mailparser> = () => import('mailparser'),
): Promise<typeof Mailparser> {
  return importOptional(importer, INSTALL_MAILPARSER_FOR_TESTS);
}
