import type { EmailMessage } from './email-message.js';
import { parseMimetype } from './mimetype.js';

/** What a {@link MimePart} holds. */
export type MimePartContent = string | Buffer | EmailMessage | MimePart[];

/** Options of a {@link MimePart}. */
export interface MimePartOptions {
  /**
   * File name shown to the recipient (`filename` of `Content-Disposition`).
   * @default null
   */
  filename?: string | null;
  /**
   * `Content-Disposition`: `'attachment'`, `'inline'`, or `null` for no header.
   * @default 'attachment' when a filename is given, else null
   */
  disposition?: 'attachment' | 'inline' | null;
  /**
   * `Content-ID`, with or without angle brackets (`logo@example.com`); printable ASCII only.
   * @default null
   */
  contentId?: string | null;
  /**
   * Extra headers of the part. `Content-Type`, `Content-Transfer-Encoding`,
   * `Content-Disposition` and `MIME-Version` come from the part itself.
   * @default {}
   */
  headers?: Record<string, string> | null;
}

/**
 * One MIME part, inserted into a message as it is by `EmailMessage.attach(part)`
 * (Django's "attach a `MIMEBase` instance"). Every field is checked, like
 * every other header, when the message is rendered.
 *
 * - text (`text/*`) is encoded in the part's `charset` parameter, else the message's;
 * - bytes go out base64 (`text/*` bytes are sent as they are, in the charset you name);
 * - an {@link EmailMessage} is nested as `message/rfc822`;
 * - an array of parts makes a `multipart/*` part (`multipart/related`, ...).
 *
 * @example
 * const invite = new MimePart(ics, 'text/calendar; method=REQUEST; charset=utf-8', {
 *   filename: 'invite.ics',
 * });
 * msg.attach(invite);
 */
export class MimePart {
  /** Text, bytes, a message to nest, or the children of a `multipart/*` part. */
  content: MimePartContent;
  /** MIME type, parameters allowed: `'text/calendar; method=REQUEST'`. */
  mimetype: string;
  /** See {@link MimePartOptions.filename}. */
  filename: string | null;
  /** See {@link MimePartOptions.disposition}. */
  disposition: 'attachment' | 'inline' | null;
  /** See {@link MimePartOptions.contentId}. */
  contentId: string | null;
  /** See {@link MimePartOptions.headers}. */
  headers: Record<string, string>;

  /**
   * @param content text, bytes, an `EmailMessage`, or child parts for `multipart/*`.
   * @param mimetype MIME type with optional parameters; checked at once.
   * @param options filename, disposition, Content-ID and extra headers.
   */
  constructor(
    content: MimePartContent,
    mimetype: string,
    options: MimePartOptions = {},
  ) {
    if (content === undefined || content === null)
      throw new TypeError('MimePart content must be provided.');
    parseMimetype(mimetype, 'MimePart');
    this.content = content;
    this.mimetype = mimetype;
    this.filename = options.filename ?? null;
    this.disposition =
      options.disposition === undefined
        ? this.filename
          ? 'attachment'
          : null
        : options.disposition;
    this.contentId = options.contentId ?? null;
    this.headers = { ...(options.headers ?? {}) };
  }
}
