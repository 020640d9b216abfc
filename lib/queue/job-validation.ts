import type { SerializedMessage } from './message-codec.js';
import { jobIdOf } from './queue.backend.js';

/** How deep `message/rfc822` attachments may nest in a job. */
export const MAX_NESTED_MESSAGES = 16;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Check = (value: unknown, path: string) => string | null;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const string: Check = (value, path) =>
  typeof value === 'string' ? null : `${path} is not a string`;

const nullableString: Check = (value, path) =>
  value === null ? null : string(value, path);

const strings: Check = (value, path) => {
  if (!Array.isArray(value)) return `${path} is not a list`;
  const bad = value.findIndex((item) => typeof item !== 'string');
  return bad < 0 ? null : `${path}[${bad}] is not a string`;
};

const content: Check = (value, path) => {
  if (!isObject(value)) return `${path} is not an object`;
  if ('text' in value) return string(value.text, `${path}.text`);
  if (typeof value.base64 !== 'string' || !BASE64.test(value.base64))
    return `${path} is neither { text } nor valid { base64 }`;
  return null;
};

function header(value: unknown, path: string): string | null {
  if (typeof value === 'string') return null;
  if (
    isObject(value) &&
    typeof value.date === 'string' &&
    !Number.isNaN(Date.parse(value.date))
  )
    return null;
  return `${path} is neither a string nor { date: ISO string }`;
}

function message(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_NESTED_MESSAGES)
    return `${path} nests attached messages more than ${MAX_NESTED_MESSAGES} deep`;
  if (!isObject(value)) return `${path} is not an object`;
  for (const field of ['subject', 'body', 'fromEmail', 'contentSubtype'])
    if (typeof value[field] !== 'string')
      return `${path}.${field} is not a string`;
  for (const field of ['to', 'cc', 'bcc', 'replyTo']) {
    const bad = strings(value[field], `${path}.${field}`);
    if (bad) return bad;
  }
  const bad = nullableString(value.encoding, `${path}.encoding`);
  if (bad) return bad;
  if (!isObject(value.headers)) return `${path}.headers is not an object`;
  for (const [name, item] of Object.entries(value.headers)) {
    const wrong = header(item, `${path}.headers[${JSON.stringify(name)}]`);
    if (wrong) return wrong;
  }
  if (!Array.isArray(value.attachments))
    return `${path}.attachments is not a list`;
  for (const [i, attachment] of value.attachments.entries()) {
    const at = `${path}.attachments[${i}]`;
    if (!isObject(attachment)) return `${at} is not an object`;
    const wrong =
      nullableString(attachment.filename, `${at}.filename`) ??
      string(attachment.mimetype, `${at}.mimetype`) ??
      (isObject(attachment.content) && 'message' in attachment.content
        ? message(
            attachment.content.message,
            `${at}.content.message`,
            depth + 1,
          )
        : content(attachment.content, `${at}.content`));
    if (wrong) return wrong;
  }
  if (value.alternatives !== undefined) {
    if (!Array.isArray(value.alternatives))
      return `${path}.alternatives is not a list`;
    for (const [i, alternative] of value.alternatives.entries()) {
      const at = `${path}.alternatives[${i}]`;
      if (!isObject(alternative)) return `${at} is not an object`;
      const wrong =
        string(alternative.mimetype, `${at}.mimetype`) ??
        content(alternative.content, `${at}.content`);
      if (wrong) return wrong;
    }
  }
  return null;
}

/**
 * Why a job's data is not a mail job this package can send, or `null` when
 * it is: the shape of every field, base64 that decodes, at most
 * {@link MAX_NESTED_MESSAGES} nested messages, and a `messageId` that is the
 * message's own `Message-ID` header and the job's id. It never recurses
 * deeper than that limit, whatever the data.
 */
export function invalidJobData(
  data: unknown,
  jobId: string | undefined,
): string | null {
  if (!isObject(data)) return 'the job data is not an object';
  if (typeof data.messageId !== 'string') return 'messageId is not a string';
  if (typeof data.retryAmbiguous !== 'boolean')
    return 'retryAmbiguous is not a boolean';
  const wrong = message(data.message, 'message', 0);
  if (wrong) return wrong;
  const headers = (data.message as SerializedMessage).headers;
  const own = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === 'message-id',
  )?.[1];
  if (own !== data.messageId)
    return "messageId is not the message's Message-ID header";
  if (jobId !== undefined && jobId !== jobIdOf(data.messageId))
    return 'the job id is not derived from its messageId';
  return null;
}
