/// <reference types="expect" />
import { missingOutboxMessage } from './capture-mail.js';
import {
  renderSentMail,
  sentMessages,
  type SentMailSource,
} from './rendered-mail.js';
import {
  describeCount,
  describeMismatch,
  describeUnexpected,
  sentMailMatches,
  type SentMailCriteria,
} from './sent-mail-criteria.js';

/** What a Jest (or compatible) matcher returns. */
export interface MailMatcherResult {
  /** Whether the expectation holds. */
  pass: boolean;
  /** The failure message. */
  message: () => string;
}

/** The part of Jest's matcher context these matchers use; all of it optional. */
interface MatcherContext {
  isNot?: boolean;
  promise?: string;
  utils?: {
    matcherHint(
      name: string,
      received?: string,
      expected?: string,
      options?: { isNot?: boolean; promise?: string },
    ): string;
  };
}

function hint(
  context: MatcherContext | undefined,
  name: string,
  expected: string,
): string {
  const options = { isNot: context?.isNot, promise: context?.promise };
  return context?.utils
    ? context.utils.matcherHint(name, 'outbox', expected, options)
    : `expect(outbox)${options.isNot ? '.not' : ''}.${name}(${expected})`;
}

function isSource(received: unknown): received is SentMailSource {
  return (
    Array.isArray(received) ||
    (typeof received === 'object' &&
      received !== null &&
      Array.isArray((received as { messages?: unknown }).messages))
  );
}

function notASource(received: unknown): never {
  if (received === undefined || received === null) {
    throw new TypeError(missingOutboxMessage('expect(outbox)', received));
  }
  throw new TypeError(
    `Expected a MailOutbox or an array of sent messages (e.g. from outbox.capture()), got ${typeof received}`,
  );
}

/**
 * Custom matchers for `expect.extend`, in Jest and in Vitest. Each also
 * works as a plain function returning `{ pass, message }`.
 *
 * @example
 * import { expect } from '@jest/globals';
 * import { mailMatchers } from 'nestjs-mail/testing';
 * expect.extend(mailMatchers);
 * await expect(outbox).toHaveSentMail({ to: 'ana@example.com', subject: /welcome/i });
 * expect(outbox).toHaveSentMailCount(1);
 */
export const mailMatchers = {
  /**
   * Passes when some sent mail meets the criteria, checked on the mail as
   * rendered. Asynchronous: `await` it. A failure lists every mail that was
   * sent with what differs; a message that cannot be rendered fails with
   * `MailRenderError`, with or without `.not`.
   */
  async toHaveSentMail(
    this: MatcherContext | void,
    received: unknown,
    criteria: SentMailCriteria = {},
  ): Promise<MailMatcherResult> {
    if (!isSource(received)) notASource(received);
    const context = this || undefined;
    const sent = await renderSentMail(received);
    const index = sent.findIndex((mail) => sentMailMatches(mail, criteria));
    const head = hint(context, 'toHaveSentMail', 'criteria');
    return index >= 0
      ? {
          pass: true,
          message: () =>
            `${head}\n\n${describeUnexpected(criteria, sent[index], index)}`,
        }
      : {
          pass: false,
          message: () => `${head}\n\n${describeMismatch(criteria, sent)}`,
        };
  },

  /** Passes when exactly `count` messages were sent. Synchronous; does not render. */
  toHaveSentMailCount(
    this: MatcherContext | void,
    received: unknown,
    count: number,
  ): MailMatcherResult {
    if (!isSource(received)) notASource(received);
    const messages = sentMessages(received);
    const head = hint(this || undefined, 'toHaveSentMailCount', 'count');
    return {
      pass: messages.length === count,
      message: () => `${head}\n\n${describeCount(count, messages)}`,
    };
  },
};

/**
 * The types of {@link mailMatchers} on an `expect(...)` assertion whose
 * matchers return `R`. Jest's types (`@jest/globals`, `@types/jest`) get them
 * from this package; for Vitest, add them to its `Assertion`:
 *
 * @example
 * declare module 'vitest' {
 *   interface Assertion<T = any> extends MailMatchers<void> {}
 * }
 */
export interface MailMatchers<R> {
  /**
   * Some sent mail meets the criteria (checked on the rendered mail). `await` it.
   * @see SentMailCriteria
   */
  toHaveSentMail(criteria?: SentMailCriteria): Promise<R>;
  /** Exactly `count` messages were sent. */
  toHaveSentMailCount(count: number): R;
}

declare module 'expect' {
  // The type parameters must repeat the original declaration's, used or not.
  /* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type */
  interface Matchers<
    R extends void | Promise<void>,
    T = unknown,
  > extends MailMatchers<R> {}
  /* eslint-enable @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type */
}

declare global {
  // For projects on @types/jest's global `expect`.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> extends MailMatchers<R> {}
  }
}
