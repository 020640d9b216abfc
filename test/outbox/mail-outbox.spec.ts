import { describe, expect, it } from '@jest/globals';
import {
  EmailMessage,
  EmailMultiAlternatives,
  LocmemEmailBackend,
  MailOutbox,
} from '../../lib/index.js';

function mailer(outbox: MailOutbox, alias: string | null = 'default') {
  return new LocmemEmailBackend({}, { alias, messageSettings: {}, outbox });
}

describe('MailOutbox entries', () => {
  it('records the mailer, status, time, Message-ID, envelope and bytes of each message', async () => {
    const outbox = new MailOutbox();
    const before = Date.now();
    await mailer(outbox, 'bulk').sendMessages([
      new EmailMessage('Hi', 'Body', 'a@example.com', ['b@example.com'], {
        bcc: ['c@example.com'],
      }),
    ]);
    const [entry] = outbox.entries;
    expect(entry.message).toBe(outbox.messages[0]);
    expect(entry.mailer).toBe('bulk');
    expect(entry.status).toBe('sent');
    expect(entry.sentAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(entry.messageId).toMatch(/^<.+@.+>$/);
    expect(entry.envelope).toEqual({
      from: 'a@example.com',
      to: ['b@example.com', 'c@example.com'],
    });
    expect(entry.raw?.toString()).toContain(`Message-ID: ${entry.messageId}`);
    expect(MailOutbox.entryOf(outbox.messages[0])).toBe(entry);
  });

  it('gives tests the alternatives and the HTML without a cast', async () => {
    const outbox = new MailOutbox();
    const html = new EmailMultiAlternatives('Hi', 'text', null, [
      'b@example.com',
    ]);
    html.attachAlternative('<p>Hello <b>Ana</b></p>', 'text/html');
    const htmlBody = new EmailMessage('Hi', '<p>Body</p>', null, [
      'b@example.com',
    ]);
    htmlBody.contentSubtype = 'html';
    await mailer(outbox).sendMessages([
      html,
      htmlBody,
      new EmailMessage('Plain', 'text', null, ['b@example.com']),
    ]);
    const [first, second, third] = outbox.entries;
    expect(first.alternatives).toEqual([
      { content: '<p>Hello <b>Ana</b></p>', mimetype: 'text/html' },
    ]);
    expect(first.html).toBe('<p>Hello <b>Ana</b></p>');
    expect(second.html).toBe('<p>Body</p>');
    expect(third.alternatives).toEqual([]);
    expect(third.html).toBeUndefined();
  });

  it('completes a queued entry when the delivery with its Message-ID is recorded', () => {
    const outbox = new MailOutbox();
    const message = new EmailMessage('Q', 'b', null, ['b@example.com']);
    const queued = outbox.record({
      message,
      mailer: 'bulk',
      status: 'queued',
      messageId: '<1@example.com>',
    });
    const raw = Buffer.from('Subject: Q\r\n\r\nb\r\n');
    const done = outbox.record({
      message: message.clone(),
      mailer: 'default',
      messageId: '<1@example.com>',
      raw,
    });
    expect(done).toBe(queued);
    expect(outbox.entries).toHaveLength(1);
    expect(queued.status).toBe('sent');
    expect(queued.raw).toBe(raw);
    expect(queued.mailer).toBe('bulk');
  });

  it('clear() empties messages and entries in place', async () => {
    const outbox = new MailOutbox();
    const { messages, entries } = outbox;
    await mailer(outbox).sendMessages([
      new EmailMessage('x', 'y', null, ['b@example.com']),
    ]);
    outbox.clear();
    expect(outbox.messages).toBe(messages);
    expect(outbox.entries).toBe(entries);
    expect([messages.length, entries.length]).toEqual([0, 0]);
  });
});
