import { textPart, type Part } from './mime-builder.js';

/** The parts of a message, converted and checked, in the order given. */
export interface MessageParts {
  /** The body text and its subtype (`plain`, `html`). */
  body: string;
  subtype: string;
  charset: string;
  /** Alternative bodies. */
  alternatives: Part[];
  /** Attachments and `MimePart`s, inline parts with a Content-ID among them. */
  attachments: Part[];
}

const multipart = (type: string, parts: Part[]): Part => ({
  type: `multipart/${type}`,
  params: [],
  parts,
});

/**
 * Django's MIME structure: `multipart/mixed` around the attachments,
 * `multipart/alternative` around the alternatives, no empty text part next to
 * either. Inline parts with a Content-ID go with the HTML body (the HTML
 * alternative, else the body) in `multipart/related`.
 */
export function messageStructure({
  body,
  subtype,
  charset,
  alternatives,
  attachments: all,
}: MessageParts): Part {
  const related = all.filter(
    (part) => part.disposition === 'inline' && part.contentId,
  );
  const attachments = all.filter((part) => !related.includes(part));
  let main: Part | undefined =
    body || (!alternatives.length && !all.length)
      ? textPart(body, subtype, charset)
      : undefined;
  if (related.length) {
    const html = alternatives.findIndex((a) => a.type === 'text/html');
    const withImages = (part: Part) => multipart('related', [part, ...related]);
    if (html >= 0) alternatives[html] = withImages(alternatives[html]);
    else if (main) main = withImages(main);
    else attachments.unshift(...related);
  }
  if (alternatives.length)
    main = multipart(
      'alternative',
      main ? [main, ...alternatives] : alternatives,
    );
  if (!attachments.length) return main!;
  return multipart('mixed', main ? [main, ...attachments] : attachments);
}
