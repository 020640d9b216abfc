import { BadHeaderError } from '../errors/bad-header.error.js';
import { forbidNewlines } from './address.js';
import { checkHeaderName, headerText } from './headers.js';
import { dispositionFields, leafPart } from './leaf-part.js';
import type { Part } from './mime-builder.js';
import { MimePart } from './mime-part.js';
import type { MessageSettings } from './message-settings.js';
import { parseMimetype } from './mimetype.js';
import { nested } from './nesting.js';

/** A {@link MimePart} as a node: its children nested, every field checked. */
export function mimePartNode(
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
function contentIdValue(id: string): string {
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
