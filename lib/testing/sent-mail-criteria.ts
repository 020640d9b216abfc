import { MailOutbox, type EmailMessage } from '../index.js';
import {
  renderSentMail,
  type RenderedAttachment,
  type RenderedMail,
  type SentMailSource,
} from './rendered-mail.js';

/** Text criterion: a string (see each field for exact or contains) or a RegExp tested against the value. */
export type TextCriterion = string | RegExp;

/**
 * Address criterion: a string equal to an address (`ana@example.com`,
 * case-insensitive) or to its display form (`Ana <ana@example.com>`), a
 * RegExp tested against the display form, or a list of those that must all
 * be present.
 */
export type AddressCriterion = TextCriterion | readonly TextCriterion[];

/** What one attachment must look like; every field given must match. */
export interface AttachmentCriteria {
  /** File name: exact string, RegExp, or `null` for an attachment without a name. */
  filename?: TextCriterion | null;
  /** MIME type without parameters: exact string or RegExp. */
  contentType?: TextCriterion;
  /**
   * Content: exact bytes as delivered (Buffer), or exact text (string) or a
   * RegExp on the content as UTF-8 with CRLF line endings read as `\n`.
   */
  content?: string | Buffer | RegExp;
}

/**
 * Criteria a sent mail must meet, checked on the mail as rendered and parsed
 * back. Every field given must match; omit a field to accept anything.
 *
 * @example { to: 'ana@example.com', subject: /welcome/i, attachment: 'invoice.pdf', using: 'bulk' }
 */
export interface SentMailCriteria {
  /** Alias of the mailer that sent it (`'default'` or a named mailer). */
  using?: string | null;
  /** The `From` address. */
  from?: AddressCriterion;
  /** `To` addresses (the ones given must be present; others may be too). */
  to?: AddressCriterion;
  /** `Cc` addresses. */
  cc?: AddressCriterion;
  /** Blind-copy recipients. */
  bcc?: AddressCriterion;
  /** `Reply-To` addresses. */
  replyTo?: AddressCriterion;
  /** The subject: a string must be equal, a RegExp must match. */
  subject?: TextCriterion;
  /** Found in the text or the HTML body: a string is a substring, a RegExp must match. */
  bodyContains?: TextCriterion;
  /** The `text/plain` body contains this string, or matches this RegExp. */
  text?: TextCriterion;
  /** The `text/html` body contains this string, or matches this RegExp. */
  html?: TextCriterion;
  /** Some attachment matches: a string or RegExp is its file name. */
  attachment?: TextCriterion | AttachmentCriteria;
  /** Header values by name (any case): a string must be equal, a RegExp must match. */
  headers?: Record<string, TextCriterion>;
}

/** The outcome of one criterion on one mail. */
export interface CriterionResult {
  /** Name of the criterion, e.g. `subject`. */
  field: string;
  /** The expectation, printed. */
  expected: string;
  /** What the mail has, printed. */
  actual: string;
  /** Whether it matched. */
  pass: boolean;
}

/**
 * Checks a rendered mail against criteria, one result per criterion given
 * (in a fixed order), for assertions and failure messages.
 */
export function checkSentMail(
  mail: RenderedMail,
  criteria: SentMailCriteria,
): CriterionResult[] {
  const results: CriterionResult[] = [];
  const add = (
    field: string,
    expected: unknown,
    actual: unknown,
    pass: boolean,
  ) =>
    results.push({
      field,
      expected: show(expected),
      actual: show(actual),
      pass,
    });
  if (criteria.using !== undefined)
    add('using', criteria.using, mail.using, criteria.using === mail.using);
  for (const field of ['from', 'to', 'cc', 'bcc', 'replyTo'] as const) {
    const wanted = criteria[field];
    if (wanted === undefined) continue;
    const actual = field === 'from' ? [mail.from] : mail[field];
    add(
      field,
      wanted,
      field === 'from' ? mail.from : actual,
      hasAddresses(actual, wanted),
    );
  }
  if (criteria.subject !== undefined) {
    const { subject } = criteria;
    add('subject', subject, mail.subject, equals(mail.subject, subject));
  }
  if (criteria.bodyContains !== undefined) {
    const body = criteria.bodyContains;
    add(
      'bodyContains',
      body,
      { text: mail.text, html: mail.html },
      contains(mail.text, body) || contains(mail.html, body),
    );
  }
  for (const field of ['text', 'html'] as const) {
    const wanted = criteria[field];
    if (wanted !== undefined)
      add(field, wanted, mail[field], contains(mail[field], wanted));
  }
  if (criteria.attachment !== undefined) {
    const wanted =
      typeof criteria.attachment === 'string' ||
      criteria.attachment instanceof RegExp
        ? { filename: criteria.attachment }
        : criteria.attachment;
    add(
      'attachment',
      criteria.attachment,
      mail.attachments.map(describeAttachment),
      mail.attachments.some((a) => attachmentMatches(a, wanted)),
    );
  }
  for (const [name, wanted] of Object.entries(criteria.headers ?? {})) {
    const actual = mail.headers[name.toLowerCase()];
    add(
      `headers[${JSON.stringify(name)}]`,
      wanted,
      actual,
      actual !== undefined && equals(actual, wanted),
    );
  }
  return results;
}

/** True when the mail meets every criterion. */
export function sentMailMatches(
  mail: RenderedMail,
  criteria: SentMailCriteria,
): boolean {
  return checkSentMail(mail, criteria).every((r) => r.pass);
}

/**
 * The sent mails that meet the criteria, rendered, oldest first. For any
 * test runner.
 *
 * @throws MailRenderError when a sent message cannot be rendered.
 * @example const [welcome] = await findSentMail(outbox, { subject: /welcome/i });
 */
export async function findSentMail(
  source: SentMailSource,
  criteria: SentMailCriteria = {},
): Promise<RenderedMail[]> {
  return (await renderSentMail(source)).filter((mail) =>
    sentMailMatches(mail, criteria),
  );
}

/**
 * The first sent mail that meets the criteria; otherwise throws an Error
 * whose message shows every mail that was sent, criterion by criterion. For
 * any test runner (node:test, mocha, vitest, ...).
 *
 * @throws MailRenderError when a sent message cannot be rendered.
 * @example const mail = await assertSentMail(outbox, { to: 'ana@example.com', attachment: 'invoice.pdf' });
 */
export async function assertSentMail(
  source: SentMailSource,
  criteria: SentMailCriteria = {},
): Promise<RenderedMail> {
  const sent = await renderSentMail(source);
  const match = sent.find((mail) => sentMailMatches(mail, criteria));
  if (match) return match;
  throw new Error(describeMismatch(criteria, sent));
}

/**
 * Throws unless exactly `count` messages were sent; the message lists them.
 * Does not render.
 */
export function assertSentMailCount(
  source: SentMailSource,
  count: number,
): void {
  const messages = 'messages' in source ? source.messages : source;
  if (messages.length !== count)
    throw new Error(describeCount(count, messages));
}

/** @internal Failure text: the criteria, then every mail sent with each criterion marked. */
export function describeMismatch(
  criteria: SentMailCriteria,
  sent: RenderedMail[],
): string {
  const lines = ['Expected a sent mail with:'];
  for (const [key, value] of Object.entries(criteria))
    lines.push(`  ${key}: ${show(value)}`);
  if (!sent.length) {
    lines.push('', 'but no mail was sent.');
    return lines.join('\n');
  }
  lines.push(
    '',
    `but none of the ${sent.length} sent mail${sent.length === 1 ? '' : 's'} matches (- expected, + sent):`,
  );
  sent.forEach((mail, i) => {
    lines.push('', `#${i + 1} ${summary(mail)}`);
    for (const r of checkSentMail(mail, criteria)) {
      if (r.pass) lines.push(`    ${r.field}: ${r.actual}`);
      else
        lines.push(
          `  - ${r.field}: ${r.expected}`,
          `  + ${r.field}: ${r.actual}`,
        );
    }
  });
  return lines.join('\n');
}

/** @internal Failure text of a `.not` assertion: the mail that matched. */
export function describeUnexpected(
  criteria: SentMailCriteria,
  mail: RenderedMail,
  index: number,
): string {
  const lines = ['Expected no sent mail with:'];
  for (const [key, value] of Object.entries(criteria))
    lines.push(`  ${key}: ${show(value)}`);
  lines.push('', `but #${index + 1} matches: ${summary(mail)}`);
  return lines.join('\n');
}

function usingOf(message: EmailMessage): string {
  const entry = MailOutbox.entryOf(message);
  return entry?.mailer === undefined ? '' : ` using '${entry.mailer}'`;
}

/** @internal Failure text of a count assertion. */
export function describeCount(
  count: number,
  messages: readonly EmailMessage[],
): string {
  const lines = [
    `Expected ${count} sent mail${count === 1 ? '' : 's'}, but ${messages.length} ${messages.length === 1 ? 'was' : 'were'} sent${messages.length ? ':' : '.'}`,
  ];
  messages.forEach((m, i) =>
    lines.push(
      `  #${i + 1} ${JSON.stringify(m.subject)} to ${m.to.join(', ') || '(nobody)'}${usingOf(m)}`,
    ),
  );
  return lines.join('\n');
}

function summary(mail: RenderedMail): string {
  return `${JSON.stringify(mail.subject)} from ${mail.from} to ${mail.to.join(', ') || '(nobody)'} using '${mail.using}'`;
}

function test(pattern: RegExp, value: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(value);
}

/** A string must be equal, a RegExp must match. */
function equals(value: string, wanted: TextCriterion): boolean {
  return typeof wanted === 'string' ? value === wanted : test(wanted, value);
}

function contains(value: string | undefined, wanted: TextCriterion): boolean {
  if (value === undefined) return false;
  return typeof wanted === 'string'
    ? value.includes(wanted)
    : test(wanted, value);
}

function hasAddresses(actual: string[], wanted: AddressCriterion): boolean {
  const list: readonly TextCriterion[] =
    typeof wanted === 'string' || wanted instanceof RegExp ? [wanted] : wanted;
  return list.every((w) => actual.some((a) => addressMatches(a, w)));
}

function addressMatches(display: string, wanted: TextCriterion): boolean {
  if (wanted instanceof RegExp) return test(wanted, display);
  const bare = /<([^<>]*)>$/.exec(display)?.[1] ?? display;
  return (
    display === wanted ||
    bare.toLowerCase() === wanted.toLowerCase() ||
    display.toLowerCase() === wanted.toLowerCase()
  );
}

function attachmentMatches(
  attachment: RenderedAttachment,
  wanted: AttachmentCriteria,
): boolean {
  const { filename, contentType, content } = wanted;
  if (filename === null && attachment.filename !== null) return false;
  if (
    filename !== undefined &&
    filename !== null &&
    (attachment.filename === null || !equals(attachment.filename, filename))
  )
    return false;
  if (contentType !== undefined && !equals(attachment.contentType, contentType))
    return false;
  if (content === undefined) return true;
  if (Buffer.isBuffer(content)) return content.equals(attachment.content);
  // Text parts travel with CRLF line endings; compare text as it was attached.
  return equals(
    attachment.content.toString('utf8').replace(/\r\n/g, '\n'),
    content,
  );
}

function describeAttachment(a: RenderedAttachment): string {
  return `${a.filename ?? '(no name)'} (${a.contentType}, ${a.content.length} bytes)`;
}

const MAX_SHOWN = 300;

function show(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  if (Buffer.isBuffer(value)) return `<Buffer, ${value.length} bytes>`;
  if (typeof value === 'string')
    return JSON.stringify(
      value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value,
    );
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join(', ')} }`;
  return String(value);
}
