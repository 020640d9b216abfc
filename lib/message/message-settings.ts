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
   * message sets no `encoding`. `utf-8`, `us-ascii` and `iso-8859-1` are supported.
   * @default 'utf-8'
   */
  defaultCharset: string;
  /**
   * Render the `Date` header in the server's time zone instead of UTC.
   * @default false
   */
  useLocaltime: boolean;
}

/** Django's defaults for {@link MessageSettings}. */
export const DEFAULT_MESSAGE_SETTINGS: Readonly<MessageSettings> =
  Object.freeze({
    defaultFromEmail: 'webmaster@localhost',
    defaultCharset: 'utf-8',
    useLocaltime: false,
  });
