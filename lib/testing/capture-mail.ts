import type { EmailMessage, MailCapture, MailOutbox } from '../index.js';

/** Why a test's outbox can be undefined, and what to do about it. */
const CONCURRENT_SETUP_HINT =
  'Jest runs no beforeEach hook for it.concurrent tests: create the app (and take its ' +
  'MailOutbox) in beforeAll, which runs before every test, concurrent or not, or inside the test.';

/** @internal The message for a missing outbox, naming the call that got it. */
export function missingOutboxMessage(call: string, received: unknown): string {
  return `${call} got ${received === null ? 'null' : typeof received} instead of a MailOutbox. ${CONCURRENT_SETUP_HINT}`;
}

/**
 * `outbox.capture(block)` that fails with a message saying what to change
 * when `outbox` is not set yet, the usual slip with `it.concurrent`: Jest runs
 * no `beforeEach` hook for concurrent tests, so an outbox assigned there is
 * still `undefined` (create the app in `beforeAll`).
 *
 * @example
 * it.concurrent('welcomes Ana', async () => {
 *   const sent = await captureMail(outbox, () => signup.register('ana@example.com'));
 *   expect(sent).toHaveSentMailCount(1);
 * });
 */
export async function captureMail(
  outbox: MailOutbox | undefined | null,
  block: (capture: MailCapture) => unknown | Promise<unknown>,
): Promise<EmailMessage[]> {
  if (typeof outbox?.capture !== 'function') {
    throw new TypeError(
      missingOutboxMessage('captureMail(outbox, block)', outbox),
    );
  }
  return outbox.capture(block);
}
