import { describe, expect, it } from '@jest/globals';
import { DummyEmailBackend } from '../../lib/backends/dummy.backend.js';
import { EmailMessage } from '../../lib/message/email-message.js';

const message = (subject = 'Subject') =>
  new EmailMessage(subject, 'Body', 'from@example.com', ['to@example.com']);

describe('DummyEmailBackend', () => {
  it('returns the number of messages and sends nothing', async () => {
    const backend = new DummyEmailBackend();
    const msg = message();
    expect(await backend.sendMessages([msg, msg, msg])).toBe(3);
    expect(await backend.sendMessages([])).toBe(0);
  });

  it('accepts a generator and iterates it once', async () => {
    let pulled = 0;
    function* generate() {
      for (const subject of ['a', 'b']) {
        pulled++;
        yield message(subject);
      }
    }
    const backend = new DummyEmailBackend();
    const messages = generate();
    expect(await backend.sendMessages(messages)).toBe(2);
    expect(await backend.sendMessages(messages)).toBe(0);
    expect(pulled).toBe(2);
  });

  it('does not validate: it does nothing at all with the messages', async () => {
    const backend = new DummyEmailBackend();
    expect(await backend.sendMessages([message('bad\nheader')])).toBe(1);
  });

  it('opens and closes as a no-op', async () => {
    const backend = new DummyEmailBackend({ failSilently: true });
    expect(await backend.open()).toBeUndefined();
    await expect(backend.close()).resolves.toBeUndefined();
  });
});
