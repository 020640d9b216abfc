import type * as Mailparser from 'mailparser';

/** What to tell a user who enables the preview page without `mailparser`. */
export const INSTALL_MAILPARSER =
  'Install mailparser to use MailPreviewModule: npm install -D mailparser';

/**
 * Loads the optional peer dependency `mailparser`, or throws an Error that
 * says how to install it.
 *
 * @param importer how to import it (a test can pass a failing importer).
 */
export async function loadMailparser(
  importer: () => Promise<typeof Mailparser> = () => import('mailparser'),
): Promise<typeof Mailparser> {
  try {
    return await importer();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(INSTALL_MAILPARSER, { cause: err });
    }
    throw err;
  }
}
