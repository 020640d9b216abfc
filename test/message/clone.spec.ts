import { describe, expect, it } from '@jest/globals';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { render } from './helpers.js';

describe('clone()', () => {
  function original() {
    const msg = new EmailMultiAlternatives(
      'Subject',
      'Body',
      'from@example.com',
      ['to@example.com'],
      {
        cc: ['cc@example.com'],
        bcc: ['bcc@example.com'],
        replyTo: ['reply@example.com'],
        headers: {
          'X-Tag': 'original',
          Date: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)),
        },
      },
    );
    msg.attach('data.bin', Buffer.from([1, 2, 3]));
    msg.attach(
      null,
      new EmailMessage('Inner', 'inner body', 'a@example.com', [
        'b@example.com',
      ]),
    );
    msg.attachAlternative(Buffer.from('<p>html</p>'), 'text/html');
    return msg;
  }

  it('keeps the class and every attribute', async () => {
    const msg = original();
    msg.contentSubtype = 'plain';
    msg.encoding = 'iso-8859-1';
    const copy = msg.clone();
    expect(copy).toBeInstanceOf(EmailMultiAlternatives);
    expect(copy).not.toBe(msg);
    expect(copy.encoding).toBe('iso-8859-1');
    const [a, b] = [await render(msg), await render(copy)];
    expect(b.parsed.subject).toBe(a.parsed.subject);
    expect(b.mime.envelope).toEqual(a.mime.envelope);
    expect(b.mime.get('X-Tag')).toBe('original');
    expect(b.parsed.attachments.length).toBe(a.parsed.attachments.length);
  });

  it('is deep: mutating the original afterwards does not reach the copy', async () => {
    const msg = original();
    const copy = msg.clone();
    msg.to.push('later@example.com');
    msg.cc[0] = 'changed@example.com';
    msg.bcc.length = 0;
    msg.replyTo.push('r2@example.com');
    msg.extraHeaders['X-Tag'] = 'mutated';
    (msg.extraHeaders.Date as Date).setUTCFullYear(1999);
    (msg.attachments[0].content as Buffer)[0] = 0xff;
    (msg.attachments[1].content as EmailMessage).subject = 'Mutated inner';
    (msg.alternatives[0].content as Buffer).write('<X>');
    msg.attachments.push({
      filename: 'new.txt',
      content: 'x',
      mimetype: 'text/plain',
    });
    msg.alternatives.push({ content: 'y', mimetype: 'text/x-y' });

    expect(copy.to).toEqual(['to@example.com']);
    expect(copy.cc).toEqual(['cc@example.com']);
    expect(copy.bcc).toEqual(['bcc@example.com']);
    expect(copy.replyTo).toEqual(['reply@example.com']);
    expect(copy.extraHeaders['X-Tag']).toBe('original');
    expect(copy.attachments).toHaveLength(2);
    expect(copy.alternatives).toHaveLength(1);

    const { parsed, mime } = await render(copy);
    expect(mime.get('X-Tag')).toBe('original');
    expect(mime.get('Date')).toBe('Thu, 02 Jan 2020 03:04:05 +0000');
    expect([...parsed.attachments[0].content]).toEqual([1, 2, 3]);
    expect(parsed.html).toBe('<p>html</p>\n');
    expect(mime.envelope.to).toEqual([
      'to@example.com',
      'cc@example.com',
      'bcc@example.com',
    ]);
  });

  it('is deep the other way too: mutating the copy leaves the original', () => {
    const msg = original();
    const copy = msg.clone();
    copy.to.push('x@example.com');
    (copy.attachments[0].content as Buffer)[0] = 9;
    expect(msg.to).toEqual(['to@example.com']);
    expect([...(msg.attachments[0].content as Buffer)]).toEqual([1, 2, 3]);
  });

  it('shares the connection', () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', []);
    const connection = {} as never;
    msg.connection = connection;
    expect(msg.clone().connection).toBe(connection);
  });
});
