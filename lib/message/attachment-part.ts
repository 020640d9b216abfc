import {
  closeSync,
  createReadStream,
  fstatSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { normalizeAttachment, type EmailAttachment } from './attachment.js';
import { dispositionFields, leafPart } from './leaf-part.js';
import type { Part } from './mime-builder.js';
import { MimePart } from './mime-part.js';
import { mimePartNode } from './mime-part-node.js';
import type { MessageSettings } from './message-settings.js';
import { parseMimetype, refuseMultipart } from './mimetype.js';

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
  const disposition = dispositionFields(
    input.filename,
    input.filename ? 'attachment' : null,
  );
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
