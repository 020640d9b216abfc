import type { EmailAlternative } from './attachment.js';
import { decodeUtf8 } from './charset.js';
import { EmailMessage, type EmailMessageOptions } from './email-message.js';
import { textPart, type LeafPart } from './mime-builder.js';
import { parseMimetype, refuseMultipart } from './mimetype.js';

/** Constructor options of {@link EmailMultiAlternatives}. */
export interface EmailMultiAlternativesOptions extends EmailMessageOptions {
  /** Alternative bodies, e.g. `[{ content: html, mimetype: 'text/html' }]`. */
  alternatives?: Array<
    EmailAlternative | [content: string | Buffer, mimetype: string]
  > | null;
}

/**
 * A message with alternative renderings of its body (typically HTML next to
 * text), sent as `multipart/alternative`. Django's `EmailMultiAlternatives`.
 *
 * @example
 * const msg = new EmailMultiAlternatives('Hi', 'Text body', 'from@example.com', ['to@example.com']);
 * msg.attachAlternative('<p>HTML body</p>', 'text/html');
 */
export class EmailMultiAlternatives extends EmailMessage {
  /** Alternative bodies, in order. */
  alternatives: EmailAlternative[] = [];

  /**
   * The arguments of {@link EmailMessage}'s constructor; `options.alternatives`
   * adds each alternative with {@link EmailMultiAlternatives.attachAlternative}.
   */
  constructor(
    subject?: string,
    body?: string | null,
    fromEmail?: string | null,
    to?: string[] | null,
    options: EmailMultiAlternativesOptions = {},
  ) {
    super(subject, body, fromEmail, to, options);
    for (const item of options.alternatives ?? []) {
      if (Array.isArray(item)) this.attachAlternative(...item);
      else this.attachAlternative(item.content, item.mimetype);
    }
  }

  /**
   * Adds an alternative body. Both arguments are required; the mimetype may
   * carry parameters, e.g. `attachAlternative(ics, 'text/calendar; method=REQUEST')`.
   */
  attachAlternative(content: string | Buffer, mimetype: string): void {
    if (
      content === undefined ||
      content === null ||
      mimetype === undefined ||
      mimetype === null
    ) {
      throw new TypeError('Both content and mimetype must be provided.');
    }
    this.alternatives.push({ content, mimetype });
  }

  /**
   * True when `text` is in the body and in every `text/*` alternative
   * (other alternatives are ignored). Useful in tests.
   */
  bodyContains(text: string): boolean {
    if (!this.body.includes(text)) return false;
    return this.alternatives.every(
      ({ content, mimetype }) =>
        !mimetype.startsWith('text/') || asText(content).includes(text),
    );
  }

  override clone(): this {
    const copy = super.clone();
    copy.alternatives = this.alternatives.map((a) => ({
      ...a,
      content: Buffer.isBuffer(a.content) ? Buffer.from(a.content) : a.content,
    }));
    return copy;
  }

  protected override alternativeParts(charset: string): LeafPart[] {
    return (this.alternatives ?? []).map(({ content, mimetype }) => {
      const { type, params } = parseMimetype(mimetype, 'alternative');
      refuseMultipart(type, 'an alternative');
      if (type.startsWith('text/')) {
        const given = params.find(([name]) => name === 'charset')?.[1];
        return textPart(
          asText(content),
          type.slice(5),
          given ?? charset,
          params,
        );
      }
      const bytes = Buffer.isBuffer(content)
        ? content
        : Buffer.from(content, 'utf8');
      return {
        type,
        params,
        content: bytes,
        transferEncoding: 'base64',
      };
    });
  }
}

function asText(content: string | Buffer): string {
  if (!Buffer.isBuffer(content)) return content;
  const text = decodeUtf8(content);
  if (text === undefined)
    throw new TypeError('A text alternative given as bytes must be UTF-8');
  return text;
}
