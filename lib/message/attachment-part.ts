import {
  closeSync,
  createReadStream,
  fstatSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
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

/**
 * Attachments made by `attachFile` whose file has not been read: attachment →
 * absolute path. Such a file is streamed from disk at every render, so a big
 * file never sits in memory. The entry goes away as soon as anyone reads or
 * assigns `content`, which then holds the file's bytes as an ordinary Buffer.
 */
const lazyFiles = new WeakMap<EmailAttachment, string>();

/** True for the mimetypes whose content must be known when attaching (decoded text, unencoded messages). */
function readsWhole(mimetype: string): boolean {
  const lower = mimetype.toLowerCase();
  return lower.startsWith('text/') || lower.startsWith('message/');
}

/**
 * `attachFile`'s attachment for a regular file of a non-`text/*`,
 * non-`message/*` type: checks now that the file opens (so a missing or
 * unreadable file fails at once) but does not read it. Returns `undefined`
 * when the file should be read whole instead (text, messages, devices, pipes).
 *
 * `content` stays a plain `Buffer` to every reader: the first read loads the
 * file (once) and turns the attachment into an ordinary one.
 *
 * @internal `path` comes from the developer's `attachFile` call, never from message content.
 */
export function fileAttachment(
  path: string,
  filename: string,
  mimetype: string,
): EmailAttachment | undefined {
  if (readsWhole(mimetype)) return undefined;
  const absolute = resolve(path);
  const fd = openSync(absolute, 'r');
  try {
    if (!fstatSync(fd).isFile()) return undefined;
  } finally {
    closeSync(fd);
  }
  return lazyFileAttachment(absolute, filename, mimetype);
}

/** A still-unread `attachFile` attachment as a new, equally lazy one (for `clone()`); `undefined` otherwise. */
export function cloneFileAttachment(
  attachment: EmailAttachment,
): EmailAttachment | undefined {
  const path = lazyFiles.get(attachment);
  return path === undefined
    ? undefined
    : lazyFileAttachment(path, attachment.filename, attachment.mimetype);
}

function lazyFileAttachment(
  path: string,
  filename: string | null,
  mimetype: string,
): EmailAttachment {
  const attachment = { filename, mimetype } as EmailAttachment;
  const settle = (content: EmailAttachment['content']) => {
    lazyFiles.delete(attachment);
    Object.defineProperty(attachment, 'content', {
      value: content,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return content;
  };
  Object.defineProperty(attachment, 'content', {
    get: () => settle(readFileSync(path)),
    set: settle,
    enumerable: true,
    configurable: true,
  });
  lazyFiles.set(attachment, path);
  return attachment;
}

/**
 * A stream of the file that opens it only when first read: building headers
 * (which never reads the body) leaves no file descriptor behind.
 */
function fileStream(path: string): Readable {
  return Readable.from(
    (async function* () {
      yield* createReadStream(path);
    })(),
    { objectMode: false },
  );
}

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
  const path = lazyFiles.get(input);
  if (path !== undefined) {
    const mimetype = checkMimetype(input.mimetype, 'attachment');
    if (!readsWhole(mimetype)) {
      return {
        type: mimetype,
        params: [],
        content: () => fileStream(path),
        transferEncoding: 'base64',
        ...commonFields(input.filename),
      };
    }
    // Retyped as text or message since attachFile: read below via `content`.
  }
  const { filename, content, mimetype } = normalizeAttachment({
    ...input,
    mimetype: checkMimetype(input.mimetype, 'attachment'),
  });
  const common = commonFields(filename);
  if (mimetype.startsWith('text/') && typeof content === 'string') {
    return { ...textPart(content, mimetype.slice(5), charset), ...common };
  }
  if (mimetype.startsWith('message/')) {
    // RFC 2046 §5.2.1: a message/* part is never base64 or quoted-printable.
    if (isMessage(content)) {
      const nested = content.message(settings);
      return {
        type: mimetype,
        params: [],
        content: nested,
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
      type: mimetype,
      params: [],
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
    type: mimetype,
    params: [],
    content: bytes,
    transferEncoding: 'base64',
    ...common,
  };
}

/** Validates the filename; returns the fields every attachment leaf shares. */
function commonFields(filename: string | null | undefined): {
  filename?: string;
  disposition: 'attachment';
} {
  if (filename !== null && filename !== undefined) {
    if (typeof filename !== 'string')
      throw new TypeError(
        `Attachment filename must be a string, got ${typeof filename}`,
      );
    forbidNewlines(filename, 'attachment filename');
  }
  return { ...(filename ? { filename } : {}), disposition: 'attachment' };
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
