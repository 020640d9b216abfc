import type * as SmtpServerModule from 'smtp-server';

/** What to tell a user who runs the debug server without `smtp-server`. */
export const INSTALL_SMTP_SERVER =
  'Install smtp-server to use the debug server: npm install smtp-server';

/**
 * Loads the optional `smtp-server` peer dependency, or throws an Error that
 * says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export async function loadSmtpServer(
  importer: () => Promise<typeof SmtpServerModule> = () =>
    import('smtp-server'),
): Promise<typeof SmtpServerModule> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(INSTALL_SMTP_SERVER, { cause: err });
    }
    throw err;
  }
}
