import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { EmailMessage } from '../message/email-message.js';

/**
 * Request header that carries a capture into an HTTP request handled by the
 * same process: the `MailTestingModule` middleware runs the request inside
 * the capture whose id it names.
 */
export const MAIL_CAPTURE_HEADER = 'x-nestjs-mail-capture';

/** The block running inside `MailOutbox.capture()`. */
export interface MailCapture {
  /** Unique id of this capture, the value of {@link MAIL_CAPTURE_HEADER}. */
  readonly id: string;
  /**
   * Headers to add to an HTTP request so that mail its handler sends is
   * captured too (needs `MailTestingModule`).
   *
   * @example await fetch(url, { method: 'POST', headers: capture.headers })
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Messages captured so far. */
  readonly messages: EmailMessage[];
}

interface Frame {
  readonly outbox: object;
  readonly messages: EmailMessage[];
}

const storage = new AsyncLocalStorage<readonly Frame[]>();
const open = new Map<string, readonly Frame[]>();

/** @internal The message lists of every capture of `outbox` the current async context runs in. */
export function capturesOf(outbox: object): EmailMessage[][] {
  return (storage.getStore() ?? [])
    .filter((frame) => frame.outbox === outbox)
    .map((frame) => frame.messages);
}

function describeBlock(block: unknown): string {
  if (
    block instanceof Promise ||
    typeof (block as PromiseLike<unknown>)?.then === 'function'
  ) {
    return 'a Promise: the code ran before the capture started, so nothing it sends is captured';
  }
  return block === null ? 'null' : typeof block;
}

/** @internal Runs `block` in a new capture for `outbox`, nested in the current ones. */
export async function runCapture(
  outbox: object,
  block: (capture: MailCapture) => unknown,
): Promise<EmailMessage[]> {
  if (typeof block !== 'function') {
    throw new TypeError(
      `capture() takes a function that sends the mail, e.g. capture(() => signup.register('ana@example.com')); ` +
        `it got ${describeBlock(block)}.`,
    );
  }
  const id = randomUUID();
  const frame: Frame = { outbox, messages: [] };
  const frames = [...(storage.getStore() ?? []), frame];
  open.set(id, frames);
  try {
    await storage.run(frames, () =>
      block({
        id,
        headers: { [MAIL_CAPTURE_HEADER]: id },
        messages: frame.messages,
      }),
    );
  } finally {
    open.delete(id);
  }
  return frame.messages;
}

/**
 * Runs `fn` inside the capture with this id, as if it had been called inside
 * its block; an unknown or missing id runs `fn` as it is. This is what the
 * `MailTestingModule` middleware does with {@link MAIL_CAPTURE_HEADER}; call
 * it yourself to carry a capture over any other boundary (a queue job, a
 * WebSocket message) that does not keep the async context.
 */
export function joinMailCapture<T>(id: string | undefined, fn: () => T): T {
  const frames = id === undefined ? undefined : open.get(id);
  return frames ? storage.run(frames, fn) : fn();
}
