import type { EmailMessage } from '../message/email-message.js';
import { BaseEmailBackend } from './base.backend.js';

/**
 * A backend that sends nothing, Django's `dummy.EmailBackend`. Messages are
 * neither validated nor rendered; useful to switch mail off.
 */
export class DummyEmailBackend extends BaseEmailBackend {
  /** Consumes the messages (iterating once) and returns how many there were. */
  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    const iterator = messages[Symbol.iterator]();
    let count = 0;
    while (!iterator.next().done) count++;
    return count;
  }
}
