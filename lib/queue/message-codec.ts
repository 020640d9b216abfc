import { EmailMessage, EmailMultiAlternatives, MimePart } from '../index.js';

/** Text, or bytes as base64. */
export type SerializedContent = { text: string } | { base64: string };

/** An attachment in a job: its content, or a whole message for `message/rfc822`. */
export interface SerializedAttachment {
  filename: string | null;
  mimetype: string;
  content: SerializedContent | { message: SerializedMessage };
}

/**
 * An {@link EmailMessage} as JSON, as a job carries it. A subclass of
 * `EmailMessage` is revived as `EmailMessage` (or `EmailMultiAlternatives`):
 * its fields travel, its methods do not.
 */
export interface SerializedMessage {
  alternatives?: Array<{ mimetype: string; content: SerializedContent }>;
  subject: string;
  body: string;
  fromEmail: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  /** Header values; a `Date` value is kept as `{ date: ISO string }`. */
  headers: Record<string, string | { date: string }>;
  attachments: SerializedAttachment[];
  contentSubtype: string;
  encoding: string | null;
}

function content(value: string | Buffer): SerializedContent {
  return typeof value === 'string'
    ? { text: value }
    : { base64: value.toString('base64') };
}

function revive(value: SerializedContent): string | Buffer {
  return 'text' in value ? value.text : Buffer.from(value.base64, 'base64');
}

/**
 * The message as JSON, attachments included (an `attachFile` attachment is
 * read now, from a copy, so the original stays lazy).
 */
export function serializeMessage(message: EmailMessage): SerializedMessage {
  const copy = message.clone();
  const out: SerializedMessage = {
    subject: copy.subject,
    body: copy.body,
    fromEmail: copy.fromEmail,
    to: copy.to,
    cc: copy.cc,
    bcc: copy.bcc,
    replyTo: copy.replyTo,
    headers: Object.fromEntries(
      Object.entries(copy.extraHeaders ?? {}).map(([name, value]) => [
        name,
        value instanceof Date ? { date: value.toISOString() } : String(value),
      ]),
    ),
    attachments: copy.attachments.map((a) => {
      if (a instanceof MimePart)
        throw new TypeError(
          'A message with MimePart attachments (attach(part), attachInline) cannot be queued yet; send it directly',
        );
      return {
        filename: a.filename,
        mimetype: a.mimetype,
        content:
          a.content instanceof EmailMessage
            ? { message: serializeMessage(a.content) }
            : content(a.content),
      };
    }),
    contentSubtype: copy.contentSubtype,
    encoding: copy.encoding,
  };
  if (copy instanceof EmailMultiAlternatives) {
    out.alternatives = copy.alternatives.map((a) => ({
      mimetype: a.mimetype,
      content: content(a.content),
    }));
  }
  return out;
}

/** The message a job carries, ready to send. */
export function deserializeMessage(data: SerializedMessage): EmailMessage {
  const message = data.alternatives
    ? new EmailMultiAlternatives()
    : new EmailMessage();
  Object.assign(message, {
    subject: data.subject,
    body: data.body,
    fromEmail: data.fromEmail,
    to: data.to,
    cc: data.cc,
    bcc: data.bcc,
    replyTo: data.replyTo,
    contentSubtype: data.contentSubtype,
    encoding: data.encoding,
    extraHeaders: Object.fromEntries(
      Object.entries(data.headers).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : new Date(value.date),
      ]),
    ),
    attachments: data.attachments.map((a) => ({
      filename: a.filename,
      mimetype: a.mimetype,
      content:
        'message' in a.content
          ? deserializeMessage(a.content.message)
          : revive(a.content),
    })),
  });
  if (message instanceof EmailMultiAlternatives) {
    message.alternatives = data.alternatives!.map((a) => ({
      mimetype: a.mimetype,
      content: revive(a.content),
    }));
  }
  return message;
}
