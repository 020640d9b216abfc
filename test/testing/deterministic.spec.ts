import { describe, expect, it } from '@jest/globals';
import {
  EmailMessage,
  EmailMultiAlternatives,
  LocmemEmailBackend,
  MailOutbox,
} from '../../lib/index.js';
import { renderMail } from '../../lib/testing/index.js';

/** The same message, built from scratch each time. */
function build(subject = 'Your order'): EmailMultiAlternatives {
  const msg = new EmailMultiAlternatives(
    subject,
    'Thanks for your order.',
    'Shop <shop@example.com>',
    ['Ana <ana@example.com>'],
    { cc: ['boss@example.com'], headers: { 'X-Order': '42' } },
  );
  msg.attachAlternative('<p>Thanks for your <b>order</b>.</p>', 'text/html');
  msg.attach('receipt.pdf', Buffer.from('%PDF-1.4 receipt'), 'application/pdf');
  msg.attach(
    null,
    new EmailMessage('Original request', 'Please send', 'ana@example.com', [
      'shop@example.com',
    ]),
  );
  return msg;
}

const boundaries = (text: string) =>
  [...text.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]);

describe('deterministic rendering', () => {
  it('renders the same message byte-identical twice', async () => {
    const msg = build();
    const first = await msg.message({ deterministic: true }).asBytes();
    const second = await msg.message({ deterministic: true }).asBytes();
    expect(second.equals(first)).toBe(true);
    const wire = msg.message({ deterministic: true });
    expect(
      (await wire.asBytes({ linesep: '\r\n' })).equals(
        await wire.asBytes({ linesep: '\r\n' }),
      ),
    ).toBe(true);
  });

  it('renders two message objects built the same way byte-identical', async () => {
    const [a, b] = await Promise.all(
      [build(), build()].map((m) =>
        m.message({ deterministic: true }).asString(),
      ),
    );
    expect(b).toBe(a);
  });

  it('is stable across runs and machines (snapshot)', async () => {
    expect(
      await build().message({ deterministic: true }).asString(),
    ).toMatchSnapshot();
  });

  it('fixes Date (UTC, even with useLocaltime) and derives Message-ID and boundaries from the content', async () => {
    const mime = build().message({ deterministic: true, useLocaltime: true });
    expect(mime.get('Date')).toBe('Thu, 01 Jan 1970 00:00:00 +0000');
    expect(mime.get('Message-ID')).toMatch(
      /^<[0-9a-f]{32}@nestjs-mail\.invalid>$/,
    );
    const other = build('Another order').message({ deterministic: true });
    expect(other.get('Message-ID')).not.toBe(mime.get('Message-ID'));
    expect(boundaries(await other.asString())).not.toEqual(
      boundaries(await mime.asString()),
    );
  });

  it('gives a nested message its own boundaries, and the result parses', async () => {
    const msg = build();
    msg.attachments[1].content = build('Nested order');
    const text = await msg.message({ deterministic: true }).asString();
    const all = boundaries(text);
    expect(new Set(all).size).toBe(all.length);
    const outbox = new MailOutbox();
    await new LocmemEmailBackend(
      {},
      { alias: null, messageSettings: {}, outbox },
    ).sendMessages([msg]);
    const mail = await renderMail(outbox.messages[0]);
    expect(mail.attachments.map((a) => a.contentType)).toEqual([
      'application/pdf',
      'message/rfc822',
    ]);
  });

  it('takes a date and a domain, and keeps a Date or Message-ID given in headers', () => {
    const settings = {
      deterministic: {
        date: new Date('2030-05-06T07:08:09Z'),
        domain: 'test.example',
      },
    };
    const mime = build().message(settings);
    expect(mime.get('Date')).toBe('Mon, 06 May 2030 07:08:09 +0000');
    expect(mime.get('Message-ID')).toMatch(/@test\.example>$/);
    const given = build();
    given.extraHeaders = {
      'Message-ID': '<fixed@example.com>',
      Date: 'Tue, 1 Jan 2030 00:00:00 +0000',
    };
    const kept = given.message(settings);
    expect(kept.get('Message-ID')).toBe('<fixed@example.com>');
    expect(kept.get('Date')).toBe('Tue, 1 Jan 2030 00:00:00 +0000');
  });

  it('changes nothing when not asked for', async () => {
    const msg = build();
    const mime = msg.message();
    expect(mime.get('Date')).not.toBe('Thu, 01 Jan 1970 00:00:00 +0000');
    expect(mime.get('Message-ID')).not.toMatch(/nestjs-mail\.invalid/);
    // One object keeps its Message-ID; two objects, and two renders' boundaries, differ.
    expect(msg.message().get('Message-ID')).toBe(mime.get('Message-ID'));
    expect(build().message().get('Message-ID')).not.toBe(
      mime.get('Message-ID'),
    );
    expect(boundaries(await msg.message().asString())).not.toEqual(
      boundaries(await msg.message().asString()),
    );
    // A deterministic render neither uses nor replaces the generated Message-ID.
    const fixed = msg.message({ deterministic: true }).get('Message-ID');
    expect(fixed).not.toBe(mime.get('Message-ID'));
    expect(msg.message().get('Message-ID')).toBe(mime.get('Message-ID'));
    expect(msg.message({ deterministic: true }).get('Message-ID')).toBe(fixed);
  });
});
