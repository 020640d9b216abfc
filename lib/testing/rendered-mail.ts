import type { AddressObject, ParsedMail } from 'mailparser';
import { MailOutbox, type EmailMessage, type Envelope } from '../index.js';
import { loadMailparser } from '../utils/load-mailparser.js';
import { MailRenderError } from './mail-render.error.js';

/** One attachment as the recipient's mail client sees it. */
export interface RenderedAttachment {
  /** File name, or `null` when the part has none. */
  filename: string | null;
  /** MIME type without parameters, e.g. `application/pdf`. */
  contentType: string;
  /** The decoded bytes as delivered: a text attachment has CRLF line endings, as on the wire. */
  content: Buffer;
}

/**
 * A sent message as it would be delivered: rendered to bytes (with the
 * mailer's settings), then parsed back with `mailparser`.
 */
export interface RenderedMail {
  /** The outbox entry this was rendered from. */
  message: EmailMessage;
  /** Alias of the mailer that sent it (`'default'` or a named mailer); `null` for `getConnection()`. */
  using: string | null | undefined;
  /** SMTP envelope: sender and every recipient, `bcc` included. */
  envelope: Envelope;
  /** Header values by lowercase name (first occurrence), unfolded, encoded-words decoded. */
  headers: Record<string, string>;
  /** The `Subject` header, decoded; `''` when there is none. */
  subject: string;
  /** The `From` header, e.g. `Ana <ana@example.com>`. */
  from: string;
  /** `To` header addresses, each `Name <address>` or `address`. */
  to: string[];
  /** `Cc` header addresses. */
  cc: string[];
  /** `Reply-To` header addresses. */
  replyTo: string[];
  /** Blind-copy recipients (envelope only, never a header). */
  bcc: string[];
  /** The `text/plain` body, decoded; `undefined` when there is none. */
  text: string | undefined;
  /** The `text/html` body, decoded; `undefined` when there is none. */
  html: string | undefined;
  /** Attachments, in order. */
  attachments: RenderedAttachment[];
  /** The message as sent, CRLF line endings. */
  raw: Buffer;
}

/** A mail source for the helpers: an outbox, or messages taken from one (e.g. by `capture`). */
export type SentMailSource = MailOutbox | readonly EmailMessage[];

/** The messages of a source, oldest first. */
export function sentMessages(source: SentMailSource): readonly EmailMessage[] {
  return source instanceof MailOutbox ? source.messages : source;
}

/**
 * Renders one outbox entry as it would be delivered and parses it back.
 * Entries stored by the in-memory backend use the bytes rendered at send
 * time; any other message is rendered now with its recorded (or the
 * default) settings. Needs the `mailparser` package.
 *
 * @throws MailRenderError when the message cannot be rendered or parsed.
 * @example
 * const mail = await renderMail(outbox.messages[0]);
 * expect(mail.attachments[0].filename).toBe('invoice.pdf');
 */
export async function renderMail(message: EmailMessage): Promise<RenderedMail> {
  const { simpleParser } = await loadMailparser(
    'renderMail and the mail matchers',
  );
  const delivery = MailOutbox.entryOf(message);
  let raw: Buffer;
  let envelope: Envelope;
  let parsed: ParsedMail;
  try {
    if (delivery?.raw && delivery.envelope) {
      ({ raw, envelope } = delivery);
    } else {
      const mime = message.message(delivery?.settings ?? {});
      raw = await mime.asBytes({ linesep: '\r\n' });
      envelope = mime.envelope;
    }
    parsed = await simpleParser(raw, { skipTextToHtml: true });
  } catch (err) {
    throw new MailRenderError(message, err);
  }
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1);
    headers[key] ??= decodeWords(value.replace(/\r?\n[ \t]/g, ' ').trim());
  }
  return {
    message,
    using: delivery?.mailer,
    envelope,
    headers,
    subject: parsed.subject ?? '',
    from: addresses(parsed.from)[0] ?? '',
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    replyTo: addresses(parsed.replyTo),
    bcc: [...(message.bcc ?? [])],
    text: parsed.text,
    html: parsed.html === false ? undefined : parsed.html,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      content: a.content,
    })),
    raw,
  };
}

/**
 * Renders every message of an outbox (or a list from `capture`), oldest first.
 *
 * @throws MailRenderError for the first message that cannot be rendered.
 */
export async function renderSentMail(
  source: SentMailSource,
): Promise<RenderedMail[]> {
  const rendered: RenderedMail[] = [];
  for (const message of sentMessages(source))
    rendered.push(await renderMail(message));
  return rendered;
}

function addresses(
  header: AddressObject | AddressObject[] | undefined,
): string[] {
  const list = header === undefined ? [] : [header].flat();
  return list.flatMap((group) =>
    group.value.flatMap((a) =>
      a.address ? [a.name ? `${a.name} <${a.address}>` : a.address] : [],
    ),
  );
}

// RFC 2047 encoded-words; whitespace between two adjacent words is dropped (§6.2).
const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;

function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(ENCODED_WORD, (word, charset: string, kind: string, text) => {
      const bytes =
        kind.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_: string, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            );
      try {
        return new TextDecoder(charset.split('*')[0]).decode(bytes);
      } catch {
        return word;
      }
    });
}
