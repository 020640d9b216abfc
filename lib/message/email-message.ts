import { createHash } from 'node:crypto';
import { OUTBOX_ENTRY } from '../outbox/outbox-entry.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { BaseEmailBackend } from '../backends/base.backend.js';
import { BadHeaderError } from '../errors/bad-header.error.js';
import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import { BCC_HEADER, mustBeArray } from '../mail.messages.js';
import {
  forbidNewlines,
  parseMailbox,
  parseAddressList,
  parseMailboxList,
  type Mailbox,
  type MailboxGroup,
} from './address.js';
import {
  attachmentPart,
  cloneFileAttachment,
  fileAttachment,
} from './attachment-part.js';
import {
  guessMimetype,
  normalizeAttachment,
  type EmailAttachment,
} from './attachment.js';
import { canonicalCharset } from './charset.js';
import {
  checkHeaderName,
  formatDate,
  headerText,
  makeMsgid,
  randomChunk,
  type HeaderValue,
} from './headers.js';
import type { LeafPart, Part, RootHeader } from './mime-builder.js';
import { fixedRendering } from './deterministic.js';
import { messageStructure } from './message-structure.js';
import { MimeMessage } from './mime-message.js';
import { MimePart } from './mime-part.js';
import { parseMimetype, refuseMultipart } from './mimetype.js';
import { nested } from './nesting.js';
import {
  DEFAULT_MESSAGE_SETTINGS,
  type MessageSettings,
} from './message-settings.js';
import {
  ORIGINAL_RECIPIENT_HEADERS,
  redirectRecipients,
} from './recipient-redirect.js';

/** An attachment as accepted by the constructor: an object, or Django's `(filename, content, mimetype?)` tuple. */
export type AttachmentInput =
  | EmailAttachment
  | MimePart
  | [
      filename: string | null,
      content: string | Buffer | EmailMessage,
      mimetype?: string,
    ];

/** Everything after the four positional arguments of {@link EmailMessage}. */
export interface EmailMessageOptions {
  /** Blind-copy recipients: in the envelope, never in a header. */
  bcc?: string[] | null;
  /** Copy recipients. */
  cc?: string[] | null;
  /** Addresses for the `Reply-To` header (not recipients). */
  replyTo?: string[] | null;
  /**
   * Extra headers. `From`, `To`, `Cc` and `Reply-To` here replace what the
   * header shows (never the envelope); `Date` and `Message-ID` replace the
   * generated ones. A `Bcc` key is an error.
   */
  headers?: Record<string, HeaderValue> | null;
  /** Attachments, as objects or `[filename, content, mimetype?]` tuples. */
  attachments?: AttachmentInput[] | null;
  /** The backend `send()` uses. */
  connection?: BaseEmailBackend | null;
}

const ADDRESS_OVERRIDES = new Set(['from', 'to', 'cc', 'reply-to']);
/**
 * The most recipients (`to` + `cc` + `bcc`) one message may have, and the
 * most `replyTo` addresses. Postfix accepts 1,000 recipients per message by
 * default (`smtpd_recipient_limit`), and the bound lets a hostile list of
 * 100,000 addresses fail before any of them is parsed.
 */
export const MAX_RECIPIENTS = 1000;
/** Messages whose `message()` is running, to refuse a message attached inside itself. */
const rendering = new Set<EmailMessage>();
/** Messages built so far by the outermost `message()` call running now. */
let builtInThisRender: Map<EmailMessage, MimeMessage> | undefined;

/**
 * An email message, Django's `EmailMessage`: every attribute may be reassigned
 * until the message is sent, and nothing is validated or cached before
 * {@link EmailMessage.message} runs.
 *
 * @example
 * const msg = new EmailMessage('Hello', 'Body goes here', 'from@example.com',
 *   ['to1@example.com'], { bcc: ['bcc@example.com'], headers: { 'Message-ID': 'foo' } });
 * msg.attachFile('/path/to/report.pdf');
 * await mailService.send(msg);
 */
export class EmailMessage {
  /** Subject line; may be empty. */
  subject: string;
  /** Main body text. */
  body: string;
  /** Sender address; empty means `defaultFromEmail` when the message is rendered. */
  fromEmail: string;
  /** `To` recipients. `to`, `cc` and `bcc` together hold at most {@link MAX_RECIPIENTS}. */
  to: string[];
  /** `Cc` recipients. */
  cc: string[];
  /** Blind-copy recipients: in the envelope only. */
  bcc: string[];
  /** `Reply-To` addresses, at most {@link MAX_RECIPIENTS}. */
  replyTo: string[];
  /** Extra headers; see {@link EmailMessageOptions.headers}. */
  extraHeaders: Record<string, HeaderValue>;
  /**
   * Attachments, in order: `{ filename, content, mimetype }` objects, and
   * {@link MimePart}s inserted as they are (by `attach(part)` and `attachInline`).
   */
  attachments: Array<EmailAttachment | MimePart>;
  /** Backend used by {@link EmailMessage.send}; `undefined` until set. */
  connection?: BaseEmailBackend;
  /**
   * Subtype of the main body: `'plain'` or `'html'`.
   * @default 'plain'
   */
  contentSubtype = 'plain';
  /**
   * Charset of the body, alternatives and text attachments; `null` means the
   * `defaultCharset` setting. Headers are always UTF-8.
   * @default null
   */
  encoding: string | null = null;
  /**
   * Alias of the mailer that delivered this copy, for the copies a
   * `MailOutbox` holds (Django's `sent_using`); `undefined` elsewhere.
   * @deprecated Read `outbox.entries[i].mailer` (or `MailOutbox.entryOf(message)`).
   */
  get sentUsing(): string | null | undefined {
    return (this as { [OUTBOX_ENTRY]?: { mailer?: string | null } })[
      OUTBOX_ENTRY
    ]?.mailer;
  }
  /** Generated on the first `message()` and kept, so a resend carries the same Message-ID. */
  private generatedMessageId?: string;

  /**
   * @param subject Subject line.
   * @param body Main body text.
   * @param fromEmail Sender; empty or omitted means `defaultFromEmail`.
   * @param to `To` recipients (an array; a bare string is a `TypeError`).
   * @param options cc, bcc, replyTo, headers, attachments and connection.
   */
  constructor(
    subject: string = '',
    body: string | null = '',
    fromEmail: string | null = null,
    to: string[] | null = null,
    options: EmailMessageOptions = {},
  ) {
    this.subject = subject;
    this.body = body ?? '';
    this.fromEmail = fromEmail ?? '';
    this.to = addressList(to, 'to');
    this.cc = addressList(options.cc, 'cc');
    this.bcc = addressList(options.bcc, 'bcc');
    this.replyTo = addressList(options.replyTo, 'replyTo');
    this.extraHeaders = options.headers ?? {};
    this.attachments = [];
    for (const item of options.attachments ?? []) {
      if (Array.isArray(item)) this.attach(...item);
      else if (item instanceof MimePart) this.attach(item);
      else this.attach(item);
    }
    if (options.connection) this.connection = options.connection;
  }

  /** `to` + `cc` + `bcc`, empty entries dropped, duplicates kept; `replyTo` is not included. */
  recipients(): string[] {
    return [...this.to, ...this.cc, ...this.bcc].filter(Boolean);
  }

  /**
   * Validates the message and returns it ready to render. Throws
   * {@link BadHeaderError} (or its subclass `InvalidAddressError`) for a line
   * break or an invalid address anywhere in the headers, or for more than
   * {@link MAX_RECIPIENTS} recipients, before anything is built; throws
   * `MimeNestingError` when attached messages and parts nest more than
   * `MAX_MIME_DEPTH` (64) levels deep. A message attached several times is
   * built and encoded once.
   *
   * @param settings defaults from the module (sender, charset, local time,
   *   recipient redirect).
   */
  message(settings: Partial<MessageSettings> = {}): MimeMessage {
    // A message attached several times is built (and later encoded) once.
    const built = builtInThisRender?.get(this);
    if (built) return built;
    if (rendering.has(this))
      throw new TypeError('A message cannot be attached to itself');
    const outermost = rendering.size === 0;
    if (outermost) builtInThisRender = new Map();
    rendering.add(this);
    try {
      const mime = nested('An attached message', () =>
        this.buildMessage({ ...DEFAULT_MESSAGE_SETTINGS, ...settings }),
      );
      builtInThisRender?.set(this, mime);
      return mime;
    } finally {
      rendering.delete(this);
      if (outermost) builtInThisRender = undefined;
    }
  }

  /**
   * Adds an attachment: `attach(filename, content, mimetype?)` or
   * `attach({ filename, content, mimetype })`. The mimetype is guessed from the
   * filename when omitted (`application/octet-stream` otherwise); text given as
   * bytes that are not UTF-8 is sent as `application/octet-stream`. Pass an
   * `EmailMessage` as content to attach it as `message/rfc822`.
   *
   * The mimetype may carry parameters (`'text/calendar; method=REQUEST'`);
   * `multipart/*` is refused (use a {@link MimePart} with child parts). A
   * {@link MimePart} is inserted as it is: `attach(part)`.
   */
  attach(attachment: EmailAttachment | MimePart): void;
  attach(
    filename: string | null,
    content: string | Buffer | EmailMessage,
    mimetype?: string | null,
  ): void;
  attach(
    first: EmailAttachment | MimePart | string | null,
    content?: string | Buffer | EmailMessage,
    mimetype?: string | null,
  ): void {
    if (first instanceof MimePart) {
      if (content !== undefined || mimetype !== undefined) {
        throw new TypeError(
          'content and mimetype must not be given when a MimePart is provided.',
        );
      }
      this.attachments.push(first);
      return;
    }
    if (first !== null && typeof first === 'object') {
      if (content !== undefined || mimetype !== undefined) {
        throw new TypeError(
          'content and mimetype must not be given when an attachment object is provided.',
        );
      }
      ({ filename: first, content, mimetype } = first);
    }
    if (content === undefined || content === null)
      throw new TypeError('content must be provided.');
    const type =
      mimetype ||
      (content instanceof EmailMessage
        ? 'message/rfc822'
        : guessMimetype(first));
    // Checked in full at render, as Django does; a multipart type is refused at once.
    if (typeof type === 'string' && /^\s*multipart\//i.test(type))
      refuseMultipart(type.trim().toLowerCase(), 'an attachment');
    this.attachments.push(
      normalizeAttachment({ filename: first ?? null, content, mimetype: type }),
    );
  }

  /**
   * Attaches a file from the local file system, named by its basename. The
   * file is opened at once, so a missing or unreadable file fails here and not
   * at send time.
   *
   * `text/*` and `message/*` files are read now, with {@link attach}'s rules
   * (text is decoded as UTF-8, or sent as `application/octet-stream` when it
   * is not UTF-8). Any other file is streamed from disk each time the message
   * is rendered, so a large file is never held in memory and the bytes sent
   * are the file's at send time. Reading `attachments[i].content` still gives
   * a Buffer: it loads the file then, and the attachment keeps those bytes.
   *
   * `path` is a developer-chosen local path: never pass user input here.
   */
  attachFile(path: string, mimetype?: string | null): void {
    const filename = basename(path);
    const lazy = fileAttachment(
      path,
      filename,
      mimetype || guessMimetype(filename),
    );
    if (lazy) this.attachments.push(lazy);
    else this.attach(filename, readFileSync(path), mimetype);
  }

  /**
   * Adds an inline part, typically an image the HTML body shows, and returns
   * the `cid:` URL to use in the HTML (`<img src="cid:...">`). Inline parts
   * are sent with the HTML body in `multipart/related`. The Content-ID is
   * derived from the content, so the same image gives the same reference.
   *
   * @param filename file name shown by clients that list inline parts; `null` for none.
   * @param content the bytes (or text) of the part.
   * @param mimetype guessed from the filename when omitted.
   * @returns the reference, e.g. `'cid:3f2a…@nestjs-mail.invalid'`.
   * @example
   * const logo = msg.attachInline('logo.png', png);
   * msg.attachAlternative(`<img src="${logo}" alt="Logo">`, 'text/html');
   */
  attachInline(
    filename: string | null,
    content: string | Buffer,
    mimetype?: string | null,
  ): string {
    if (typeof content !== 'string' && !Buffer.isBuffer(content))
      throw new TypeError('attachInline content must be a string or a Buffer');
    const type = mimetype || guessMimetype(filename);
    const id = `${createHash('sha256')
      .update(`${filename ?? ''}\n${type}\n`)
      .update(content)
      .digest('hex')
      .slice(0, 32)}@nestjs-mail.invalid`;
    this.attachments.push(
      new MimePart(content, type, {
        filename,
        disposition: 'inline',
        contentId: id,
      }),
    );
    return `cid:${id}`;
  }

  /**
   * Sends the message through its `connection`. Returns 1 when sent, 0 when
   * there are no recipients (no connection is needed then) or it failed silently.
   *
   * @param failSilently not allowed together with a connection, as in Django 6.1:
   *   create the connection with `failSilently` instead.
   */
  async send(failSilently = false): Promise<number> {
    if (!this.recipients().length) return 0;
    if (!this.connection) {
      throw new ImproperlyConfiguredError(
        'This message has no connection. Send it with MailService.send(message), ' +
          'or set message.connection = mailService.getConnection() first.',
      );
    }
    if (failSilently) {
      throw new TypeError(
        'failSilently cannot be used with a connection. Pass failSilently to getConnection() instead.',
      );
    }
    return this.connection.sendMessages([this]);
  }

  /**
   * A deep copy: later changes to this message (lists, headers, attachment
   * bytes) do not reach the copy. The connection is shared, not copied.
   */
  clone(): this {
    const copy = Object.assign(
      Object.create(Object.getPrototypeOf(this)),
      this,
    ) as this;
    copy.to = [...this.to];
    copy.cc = [...this.cc];
    copy.bcc = [...this.bcc];
    copy.replyTo = [...this.replyTo];
    copy.extraHeaders = Object.fromEntries(
      Object.entries(this.extraHeaders ?? {}).map(([k, v]) => [
        k,
        v instanceof Date ? new Date(v) : v,
      ]),
    );
    copy.attachments = this.attachments.map((a) =>
      a instanceof MimePart
        ? clonePart(a)
        : (cloneFileAttachment(a) ?? {
            ...a,
            content: cloneContent(a.content),
          }),
    );
    return copy;
  }

  /** The alternative parts of the body; none for a plain message. */
  protected alternativeParts(_charset: string): LeafPart[] {
    return [];
  }

  private buildMessage(settings: MessageSettings): MimeMessage {
    const fixed = fixedRendering(settings.deterministic);
    const local = settings.useLocaltime && !fixed;
    const charset = this.encoding ?? settings.defaultCharset;
    canonicalCharset(charset);
    const subject = String(this.subject ?? '');
    forbidNewlines(subject, 'subject');
    const from = parseMailbox(
      this.fromEmail || settings.defaultFromEmail,
      'fromEmail',
    );
    checkRecipientCount(this);
    let to = mailboxes(this.to, 'to');
    let cc = mailboxes(this.cc, 'cc');
    let bcc = mailboxes(this.bcc, 'bcc');
    const replyTo = mailboxes(this.replyTo, 'replyTo');
    const redirected =
      settings.redirect &&
      redirectRecipients(settings.redirect, { to, cc, bcc });
    if (redirected) ({ to, cc, bcc } = redirected);

    const shown = new Map<string, Array<Mailbox | MailboxGroup>>([
      ['from', [from]],
      ['to', to],
      ['cc', cc],
      ['reply-to', replyTo],
    ]);
    const extra: RootHeader[] = [];
    for (const [name, value] of Object.entries(this.extraHeaders ?? {})) {
      const lower = checkHeaderName(name).toLowerCase();
      if (lower === 'bcc') throw new BadHeaderError(BCC_HEADER);
      const text = headerText(name, value, local);
      if (ADDRESS_OVERRIDES.has(lower)) {
        // Groups (`undisclosed-recipients:;`) only where RFC 5322 allows them, never in From.
        const list =
          lower === 'from'
            ? parseMailboxList(text, `header ${name}`)
            : parseAddressList(text, `header ${name}`);
        // A redirected message shows where it went; the originals are in X-Original-*.
        if (!redirected || lower === 'from' || lower === 'reply-to')
          shown.set(lower, list);
      } else if (lower === 'sender')
        extra.push([name, parseMailboxList(text, `header ${name}`)]);
      else if (!redirected || !ORIGINAL_RECIPIENT_HEADERS.has(lower))
        extra.push([name, text]);
    }
    if (redirected) extra.push(...redirected.headers);
    const given = new Set(extra.map(([name]) => name.toLowerCase()));
    const headers: RootHeader[] = [['Subject', subject]];
    for (const [name, lower] of [
      ['From', 'from'],
      ['To', 'to'],
      ['Cc', 'cc'],
      ['Reply-To', 'reply-to'],
    ]) {
      const list = shown.get(lower)!;
      if (list.length) headers.push([name, list]);
    }
    if (!given.has('date'))
      headers.push(['Date', formatDate(fixed?.date ?? new Date(), local)]);
    const messageIdAt = headers.length;
    headers.push(...extra);
    const top = this.structure(charset, settings);
    // Deterministic mode derives the Message-ID and boundary from everything else.
    const identity = fixed?.identify(headers, top, rendering.size);
    if (!given.has('message-id')) {
      const id =
        identity?.messageId ?? (this.generatedMessageId ??= makeMsgid());
      headers.splice(messageIdAt, 0, ['Message-ID', id]);
    }

    const envelope = {
      from: from.address,
      to: [...to, ...cc, ...bcc].map((m) => m.address),
    };
    const mime = new MimeMessage(
      top,
      headers,
      envelope,
      identity?.baseBoundary ?? randomChunk().toString('hex'),
    );
    mime.dkim = settings.dkim;
    return mime;
  }

  /** Checks the body and converts every part; the structure is {@link messageStructure}'s. */
  private structure(charset: string, settings: MessageSettings): Part {
    const subtype = String(this.contentSubtype ?? 'plain');
    if (parseMimetype(`text/${subtype}`, 'contentSubtype').params.length)
      throw new BadHeaderError(
        `contentSubtype takes a subtype only, e.g. 'html' (got ${JSON.stringify(subtype)}); ` +
          'the charset comes from encoding',
      );
    if (typeof this.body !== 'string')
      throw new TypeError(`body must be a string, got ${typeof this.body}`);
    return messageStructure({
      body: this.body,
      subtype,
      charset,
      alternatives: this.alternativeParts(charset),
      attachments: (this.attachments ?? []).map((item) =>
        attachmentPart(item, charset, settings),
      ),
    });
  }
}

/** Refuses a recipient list too long for one message, before any address is parsed. */
function checkRecipientCount(message: EmailMessage): void {
  const count = (list: unknown) =>
    Array.isArray(list) ? list.filter((item) => item).length : 0;
  const recipients = count(message.to) + count(message.cc) + count(message.bcc);
  const advice =
    'Split them into several messages, e.g. one per recipient or group with ' +
    'MailService.sendMassMail() or MailService.send([...messages]).';
  if (recipients > MAX_RECIPIENTS) {
    throw new BadHeaderError(
      `This message has ${recipients} recipients (to + cc + bcc); one message may have at most ${MAX_RECIPIENTS}. ${advice}`,
    );
  }
  if (count(message.replyTo) > MAX_RECIPIENTS) {
    throw new BadHeaderError(
      `This message has ${count(message.replyTo)} replyTo addresses; at most ${MAX_RECIPIENTS} are allowed.`,
    );
  }
}

/** Checks a recipient list at construction and returns a copy. */
function addressList(
  value: string[] | null | undefined,
  field: string,
): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(mustBeArray(field));
  if (value.some(Array.isArray))
    throw new TypeError(`"${field}" must hold address strings, got an array`);
  return [...value];
}

/** Parses a recipient list at render time; empty entries are skipped. */
function mailboxes(value: string[], field: string): Mailbox[] {
  if (!Array.isArray(value)) throw new TypeError(mustBeArray(field));
  return value
    .filter((item) => item !== '' && item !== null && item !== undefined)
    .map((item) => {
      if (typeof item !== 'string') {
        throw new TypeError(
          `"${field}" must hold address strings, got ${Array.isArray(item) ? 'an array' : typeof item}`,
        );
      }
      return parseMailbox(item, field);
    });
}

function clonePart(part: MimePart): MimePart {
  const copy = Object.assign(
    Object.create(Object.getPrototypeOf(part)),
    part,
  ) as MimePart;
  copy.headers = { ...part.headers };
  copy.content = Array.isArray(part.content)
    ? part.content.map(clonePart)
    : cloneContent(part.content);
  return copy;
}

function cloneContent(
  content: EmailAttachment['content'],
): EmailAttachment['content'] {
  if (Buffer.isBuffer(content)) return Buffer.from(content);
  if (content instanceof EmailMessage) return content.clone();
  return content;
}
