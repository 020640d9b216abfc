import { MessageEncodingError } from '../errors/message-encoding.error.js';
import { forbidNewlines } from './address.js';
import {
  checkMimetype,
  normalizeAttachment,
  type EmailAttachment,
} from './attachment.js';
import type { EmailMessage } from './email-message.js';
import { MAX_LINE_LENGTH, textPart, type LeafPart } from './mime-builder.js';
import type { MessageSettings } from './message-settings.js';

/** Attachment content is text, bytes, or (anything else) a message to nest. */
function isMessage(
  content: EmailAttachment['content'],
): content is EmailMessage {
  return typeof content === 'object' && !Buffer.isBuffer(content);
}

/**
 * Turns one attachment into a MIME leaf: `text/*` as a text part in the
 * message's charset, `message/*` unencoded (RFC 2046 §5.2.1), anything else
 * base64. Validates the mimetype and filename first.
 */
export function attachmentPart(
  input: EmailAttachment,
  charset: string,
  settings: MessageSettings,
): LeafPart {
  if (!input || typeof input !== 'object' || !('content' in input)) {
    throw new TypeError(
      'Each attachment must be an object { filename, content, mimetype }',
    );
  }
  const { filename, content, mimetype } = normalizeAttachment({
    ...input,
    mimetype: checkMimetype(input.mimetype, 'attachment'),
  });
  if (filename !== null && filename !== undefined) {
    if (typeof filename !== 'string')
      throw new TypeError(
        `Attachment filename must be a string, got ${typeof filename}`,
      );
    forbidNewlines(filename, 'attachment filename');
  }
  const common = {
    ...(filename ? { filename } : {}),
    disposition: 'attachment' as const,
  };
  if (mimetype.startsWith('text/') && typeof content === 'string') {
    return { ...textPart(content, mimetype.slice(5), charset), ...common };
  }
  if (mimetype.startsWith('message/')) {
    // RFC 2046 §5.2.1: a message/* part is never base64 or quoted-printable.
    if (isMessage(content)) {
      const nested = content.message(settings);
      return {
        contentType: mimetype,
        content: () => nested.createReadStream({ linesep: '\r\n' }),
        transferEncoding: '8bit',
        ...common,
      };
    }
    const bytes = Buffer.isBuffer(content)
      ? content
      : Buffer.from(content, 'utf8');
    if (longestLine(bytes) > MAX_LINE_LENGTH) {
      throw new MessageEncodingError(
        `A ${mimetype} attachment has a line over ${MAX_LINE_LENGTH} octets; ` +
          'such parts may not be base64 or quoted-printable encoded (RFC 2046 §5.2.1), ' +
          'so attach it as application/octet-stream or re-encode its body first',
      );
    }
    return {
      contentType: mimetype,
      content: bytes,
      transferEncoding: bytes.every((b) => b < 0x80) ? '7bit' : '8bit',
      ...common,
    };
  }
  if (isMessage(content)) {
    throw new TypeError(
      `An EmailMessage can only be attached as message/rfc822, not ${mimetype}`,
    );
  }
  const bytes = Buffer.isBuffer(content)
    ? content
    : Buffer.from(content, 'utf8');
  return {
    contentType: mimetype,
    content: bytes,
    transferEncoding: 'base64',
    ...common,
  };
}

/** Length in octets of the longest line (CRLF or LF terminated). */
function longestLine(bytes: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
    longest = Math.max(longest, i - start - (bytes[i - 1] === 0x0d ? 1 : 0));
    start = i + 1;
  }
  return Math.max(longest, bytes.length - start);
}
