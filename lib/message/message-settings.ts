import type { DeterministicRendering } from './deterministic.js';
import type { DkimSigner } from './dkim.js';
import type { RecipientRedirect } from './recipient-redirect.js';

/**
 * The settings a message reads when it is rendered. The Nest module fills them
 * from its options; a message rendered outside a module uses
 * {@link DEFAULT_MESSAGE_SETTINGS}.
 */
export interface MessageSettings {
  /**
   * Sender used when a message's `fromEmail` is empty.
   * @default 'webmaster@localhost'
   */
  defaultFromEmail: string;
  /**
   * Charset of the text body, alternatives and text attachments when the
   * message sets no `encoding`. Any charset `iconv-lite` knows (`koi8-r`,
   * `windows-1252`, ...); headers are always UTF-8.
   * @default 'utf-8'
   */
  defaultCharset: string;
  /**
   * Render the `Date` header in the server's time zone instead of UTC.
   * @default false
   */
  useLocaltime: boolean;
  /**
   * Render reproducibly, for snapshot tests: a fixed `Date` (in UTC), and a
   * `Message-ID` and multipart boundaries derived from the content, so the
   * same message gives the same bytes on every run and machine. `true` uses
   * the epoch and the domain `nestjs-mail.invalid`; pass `{ date, domain }`
   * to choose. A `Date` or `Message-ID` given in `headers` is kept. Never
   * enable it for real mail: every message would share the same Date.
   *
   * @default false
   * @example expect(await msg.message({ deterministic: true }).asString()).toMatchSnapshot();
   */
  deterministic?: boolean | DeterministicRendering;
  /**
   * Deliver every message to `redirect.to` instead of its recipients, except
   * recipients matching `redirect.allow`; the original recipients are kept in
   * `X-Original-To`, `X-Original-Cc` and `X-Original-Bcc` headers, and `To`
   * and `Cc` show where the message actually went (a `To` or `Cc` given in
   * `headers` is not shown). For development and staging. See
   * {@link RecipientRedirect}.
   *
   * @default undefined (no redirect)
   * @example { to: ['qa@example.com'], allow: ['@example.com'] }
   */
  redirect?: RecipientRedirect;
  /**
   * Sign every rendered message with DKIM (set from a mailer's `dkim` option).
   * @default undefined (not signed)
   */
  dkim?: DkimSigner;
}

/** Django's defaults for {@link MessageSettings}. */
export const DEFAULT_MESSAGE_SETTINGS: Readonly<MessageSettings> =
  Object.freeze({
    defaultFromEmail: 'webmaster@localhost',
    defaultCharset: 'utf-8',
    useLocaltime: false,
  });
