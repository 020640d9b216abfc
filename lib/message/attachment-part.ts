import {
  closeSync,
  createReadStream,
  fstatSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { BadHeaderError } from '../errors/bad-header.error.js';
import { MessageEncodingError } from '../errors/message-encoding.error.js';
import { forbidNewlines } from './address.js';
import { normalizeAttachment, type EmailAttachment } from './attachment.js';
import type { EmailMessage } from './email-message.js';
import {
  chooseTextEncoding,
  MAX_LINE_LENGTH,
  textPart,
  type ContentParams,
  type LeafPart,
  type Part,
} from './mime-builder.js';
import { MimePart } from './mime-part.js';
import type { MessageSettings } from './message-settings.js';
import { parseMimetype, refuseMultipart } from './mimetype.js';
import { nested } from './nesting.js';
import { checkHeaderName, headerText } from './headers.js';

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

/** Content that is neither text nor bytes: a message to nest. */
function isMessage(
  content: string | Buffer | EmailMessage,
): content is EmailMessage {
  return typeof content === 'object' && !Buffer.isBuffer(content);
}

/**
 * Turns one entry of `attachments` into a MIME node: an attachment as a
 * leaf, a {@link MimePart} as it is. Validates the mimetype and filename first.
 */
export function attachmentPart(
  input: EmailAttachment | MimePart,
  charset: string,
  settings: MessageSettings,
): Part {
  if (input instanceof MimePart) return mimePartNode(input, charset, settings);
  if (!input || typeof input !== 'object' || !('content' in input)) {
    throw new TypeError(
      'Each attachment must be an object { filename, content, mimetype } or a MimePart',
    );
  }
  const path = lazyFiles.get(input);
  const { type, params } = parseMimetype(input.mimetype, 'attachment');
  refuseMultipart(type, 'an attachment');
  // Django sends no Content-Disposition for an attachment without a filename.
  const disposition = input.filename
    ? dispositionFields(input.filename, 'attachment')
    : dispositionFields(input.filename, null);
  if (path !== undefined && !readsWhole(type)) {
    return {
      type,
      params,
      content: () => fileStream(path),
      transferEncoding: 'base64',
      ...disposition,
    };
  }
  // Any other attachment, or an attachFile one retyped as text or message: read via `content`.
  const { content, mimetype } = normalizeAttachment(input);
  const normalized =
    mimetype === input.mimetype
      ? { type, params }
      : parseMimetype(mimetype, 'attachment');
  return {
    ...leafPart(normalized.type, normalized.params, content, charset, settings),
    ...disposition,
  };
}

/**
 * One leaf: `text/*` text as a text part (in its `charset` parameter, else
 * the message's), `message/*` unencoded (RFC 2046 §5.2.1), anything else base64.
 */
function leafPart(
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

/** A {@link MimePart} as a node: its children nested, every field checked. */
function mimePartNode(
  part: MimePart,
  charset: string,
  settings: MessageSettings,
): Part {
  const { type, params } = parseMimetype(part.mimetype, 'MimePart');
  const { content } = part;
  let node: Part;
  if (type.startsWith('multipart/')) {
    if (!Array.isArray(content))
      throw new TypeError(
        `A ${type} MimePart needs an array of child MimeParts as its content`,
      );
    const children = content;
    node = nested('A MimePart', () => ({
      type,
      params,
      parts: children.map((child) => {
        if (!(child instanceof MimePart))
          throw new TypeError(
            'The children of a multipart MimePart must be MimeParts',
          );
        return mimePartNode(child, charset, settings);
      }),
    }));
  } else {
    if (Array.isArray(content))
      throw new TypeError(
        `Child parts need a multipart/* mimetype, not ${type}`,
      );
    if (content === undefined || content === null)
      throw new TypeError('MimePart content must be provided.');
    node = leafPart(type, params, content, charset, settings);
  }
  if (
    part.disposition !== null &&
    part.disposition !== 'attachment' &&
    part.disposition !== 'inline'
  ) {
    throw new TypeError(
      `MimePart disposition must be 'attachment', 'inline' or null, got ${JSON.stringify(part.disposition)}`,
    );
  }
  Object.assign(node, dispositionFields(part.filename, part.disposition));
  if (part.contentId !== null && part.contentId !== undefined)
    node.contentId = contentIdValue(part.contentId);
  const headers = Object.entries(part.headers ?? {});
  if (headers.length) {
    node.headers = headers.map(([name, value]) => {
      checkHeaderName(name);
      return [name, headerText(name, value, false)];
    });
  }
  return node;
}

/** `Content-ID` with its angle brackets; line breaks refused here, non-ASCII by the header encoder. */
export function contentIdValue(id: string): string {
  if (typeof id !== 'string')
    throw new TypeError(`contentId must be a string, got ${typeof id}`);
  forbidNewlines(id, 'contentId');
  const bare = id.replace(/^<|>$/g, '');
  if (!bare || /[\s<>]/.test(bare))
    throw new BadHeaderError(
      `Invalid contentId ${JSON.stringify(id)}: use an id such as "logo@example.com"`,
    );
  return `<${bare}>`;
}

/** Validates the filename; returns the disposition fields of a node. */
function dispositionFields(
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
