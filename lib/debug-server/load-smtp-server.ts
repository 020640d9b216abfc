import type * as SmtpServerModule from 'smtp-server';
import { importOptional } from '../utils/import-optional.js';

/** What to tell a user who runs the debug server without `smtp-server`. */
export const INSTALL_SMTP_SERVER =
  'Install smtp-server to use the debug server: npm install smtp-server';

/**
 * Loads the optional `smtp-server` peer dependency, or throws an Error that
 * says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export function loadSmtpServer(
  importer: () => Promise<typeof SmtpServerModule> = () =>
    import('smtp-server'),
): Promise<typeof SmtpServerModule> {
  return importOptional(importer, INSTALL_SMTP_SERVER);
}
