import { lookup } from 'mime-types';
import { decodeUtf8 } from './charset.js';
import type { EmailMessage } from './email-message.js';

/** Django's `DEFAULT_ATTACHMENT_MIME_TYPE`. */
export const DEFAULT_ATTACHMENT_MIME_TYPE = 'application/octet-stream';

/** One attachment of an {@link EmailMessage}, as in Django's `EmailAttachment`. */
export interface EmailAttachment {
  /** File name shown to the recipient; `null` for none. Never used as a local path. */
  filename: string | null;
  /** Text, bytes, or another message (for `message/rfc822`). */
  content: string | Buffer | EmailMessage;
  /** MIME type such as `application/pdf`. */
  mimetype: string;
}

/** One alternative rendering of an {@link EmailMultiAlternatives} body, as in Django's `EmailAlternative`. */
export interface EmailAlternative {
  /** The alternative body. */
  content: string | Buffer;
  /** MIME type such as `text/html`. */
  mimetype: string;
}

/**
 * Guesses a mimetype from a file name's extension with the `mime-db` table
 * (through `mime-types`), as Python's `mimetypes.guess_type` does:
 * `report.md` → `text/markdown`; `application/octet-stream` when unknown.
 */
export function guessMimetype(filename: string | null | undefined): string {
  if (!filename || !filename.includes('.')) return DEFAULT_ATTACHMENT_MIME_TYPE;
  return lookup(filename) || DEFAULT_ATTACHMENT_MIME_TYPE;
}

/**
 * Django's rule for text attachments given as bytes: decode them as UTF-8 or,
 * when they are not UTF-8, keep the bytes and send them as
 * `application/octet-stream`. Bytes with a `charset` parameter in the
 * mimetype (`text/plain; charset=koi8-r`) are kept as they are. Applied
 * when attaching and again when rendering, so attachments assigned directly
 * to `attachments` are covered too.
 */
export function normalizeAttachment(
  attachment: EmailAttachment,
): EmailAttachment {
  const { content, mimetype } = attachment;
  if (!mimetype.startsWith('text/') || !Buffer.isBuffer(content))
    return attachment;
  // Bytes whose charset is named are sent as those bytes.
  if (/;\s*charset\s*=/i.test(mimetype)) return attachment;
  const text = decodeUtf8(content);
  return text === undefined
    ? { ...attachment, mimetype: DEFAULT_ATTACHMENT_MIME_TYPE }
    : { ...attachment, content: text };
}
