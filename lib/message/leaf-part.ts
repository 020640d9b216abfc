import { MessageEncodingError } from '../errors/message-encoding.error.js';
import { forbidNewlines } from './address.js';
import type { EmailMessage } from './email-message.js';
import { MAX_LINE_LENGTH } from './header-encoding.js';
import {
  chooseTextEncoding,
  textPart,
  type ContentParams,
  type LeafPart,
} from './mime-builder.js';
import type { MessageSettings } from './message-settings.js';

/** Content that is neither text nor bytes: a message to nest. */
function isMessage(
  content: string | Buffer | EmailMessage,
): content is EmailMessage {
  return typeof content === 'object' && !Buffer.isBuffer(content);
}

/**
 * One leaf: `text/*` text as a text part (in its `charset` parameter, else
 * the message's), `message/*` unencoded (RFC 2046 §5.2.1), anything else base64.
 */
export function leafPart(
  type: string,
  params: ContentParams,
  content: string | Buffer | EmailMessage,
  charset: string,
  settings: MessageSettings,
): LeafPart {
  if (type.startsWith('text/') && typeof content === 'string') {
    const given = params.find(([name]) => name === 'charset')?.[1];
    return textPart(content, type.slice(5), given ?? charset, params);
  }
  if (type.startsWith('message/')) {
    // RFC 2046 §5.2.1: a message/* part is never base64 or quoted-printable.
    if (isMessage(content)) {
      return {
        type,
        params,
        content: content.message(settings),
        transferEncoding: '8bit',
      };
    }
    const bytes = Buffer.isBuffer(content)
      ? content
      : Buffer.from(content, 'utf8');
    if (longestLine(bytes) > MAX_LINE_LENGTH) {
      throw new MessageEncodingError(
        `A ${type} attachment has a line over ${MAX_LINE_LENGTH} octets; ` +
          'such parts may not be base64 or quoted-printable encoded (RFC 2046 §5.2.1), ' +
          'so attach it as application/octet-stream or re-encode its body first',
      );
    }
    return {
      type,
      params,
      content: bytes,
      transferEncoding: bytes.every((b) => b < 0x80) ? '7bit' : '8bit',
    };
  }
  if (isMessage(content)) {
    throw new TypeError(
      `An EmailMessage can only be attached as message/rfc822, not ${type}`,
    );
  }
  const bytes = Buffer.isBuffer(content)
    ? content
    : Buffer.from(content, 'utf8');
  if (type.startsWith('text/') && params.some(([n]) => n === 'charset')) {
    // Text already encoded in the charset it names: sent as those bytes.
    return {
      type,
      params,
      content: bytes,
      transferEncoding: chooseTextEncoding(bytes),
    };
  }
  return { type, params, content: bytes, transferEncoding: 'base64' };
}

/** Validates the filename; returns the disposition fields of a node. */
export function dispositionFields(
  filename: string | null | undefined,
  disposition: 'attachment' | 'inline' | null,
): { filename?: string; disposition?: 'attachment' | 'inline' } {
  if (filename !== null && filename !== undefined) {
    if (typeof filename !== 'string')
      throw new TypeError(
        `Attachment filename must be a string, got ${typeof filename}`,
      );
    forbidNewlines(filename, 'attachment filename');
  }
  if (!disposition) return {};
  return filename ? { filename, disposition } : { disposition };
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
