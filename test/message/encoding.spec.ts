import { describe, expect, it } from '@jest/globals';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import { MessageEncodingError } from '../../lib/errors/message-encoding.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { decodeWords, header, headerLines, leaves, render } from './helpers.js';

const msgWith = (body: string) =>
  new EmailMessage('Subject', body, 'from@example.com', ['to@example.com']);

/** Longest line of the output in octets. */
function longestLine(bytes: Buffer): number {
  let longest = 0;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      longest = Math.max(longest, i - start);
      start = i + 1;
    }
  }
  return longest;
}

describe('Content-Transfer-Encoding of text parts', () => {
  it('is 7bit for ASCII with short lines', async () => {
    const { mime, parsed } = await render(msgWith('Content\nmore'));
    expect(mime.get('Content-Transfer-Encoding')).toBe('7bit');
    expect(parsed.text).toBe('Content\nmore\n');
  });

  it('is 7bit for a line of exactly 78 octets', async () => {
    const { mime } = await render(msgWith('a'.repeat(78)));
    expect(mime.get('Content-Transfer-Encoding')).toBe('7bit');
  });

  it('is 8bit for non-ASCII with short lines, raw UTF-8 in the body', async () => {
    const body = 'Firstname Sürname is a great guy.';
    const { mime, bytes, parsed } = await render(msgWith(body));
    expect(mime.get('Content-Transfer-Encoding')).toBe('8bit');
    expect(bytes.includes(Buffer.from('Sürname', 'utf8'))).toBe(true);
    expect(parsed.text).toBe(body + '\n');
  });

  it('is quoted-printable for a long ASCII line', async () => {
    const body = 'x'.repeat(79);
    const { mime, parsed } = await render(msgWith(body));
    expect(mime.get('Content-Transfer-Encoding')).toBe('quoted-printable');
    expect(parsed.text).toBe(body + '\n');
  });

  it('is base64 for "В южных морях " * 60 (base64 is shorter)', async () => {
    const body = 'В южных морях '.repeat(60);
    const { mime, parsed, bytes } = await render(msgWith(body));
    expect(mime.get('Content-Transfer-Encoding')).toBe('base64');
    expect(parsed.text).toBe(body + '\n');
    expect(longestLine(bytes)).toBeLessThanOrEqual(998);
  });

  it('is quoted-printable for "I de sørlige hav " * 58 (QP is shorter)', async () => {
    const body = 'I de sørlige hav '.repeat(58);
    const { mime, parsed, bytes } = await render(msgWith(body));
    expect(mime.get('Content-Transfer-Encoding')).toBe('quoted-printable');
    expect(parsed.text).toBe(body + '\n');
    expect(longestLine(bytes)).toBeLessThanOrEqual(998);
  });

  it('never writes a line over 998 octets, whatever the input', async () => {
    const long = 'ö'.repeat(3000);
    const msg = new EmailMultiAlternatives(
      'S'.repeat(2000),
      'a'.repeat(5000),
      `${'N'.repeat(900)} <from@example.com>`,
      [`${'Ü'.repeat(500)} <to@example.com>`],
      { headers: { 'X-Long': 'v'.repeat(2000), 'X-Word': 'w'.repeat(1500) } },
    );
    msg.attachAlternative(`<p>${long}</p>`, 'text/html');
    msg.attach(`${'f'.repeat(1200)}.txt`, 'b'.repeat(4000), 'text/plain');
    msg.attach(null, 'Subject: x\n\n' + 'r'.repeat(998), 'message/rfc822');
    msg.attach('big.bin', Buffer.alloc(10_000, 7));
    const { bytes, parsed } = await render(msg);
    expect(longestLine(bytes)).toBeLessThanOrEqual(998);
    for (const line of headerLines(bytes.toString('latin1')))
      expect(line.length).toBeLessThanOrEqual(998);
    expect(parsed.text).toBe('a'.repeat(5000) + '\n');
    expect(parsed.html).toBe(`<p>${long}</p>\n`);
    expect(parsed.subject).toBe('S'.repeat(2000));
  });

  it.each([
    [
      'a long unbroken subject',
      (m: EmailMessage) => (m.subject = 'S'.repeat(2000)),
    ],
    [
      'a long unbroken extra header',
      (m: EmailMessage) => (m.extraHeaders = { 'X-Long': 'v'.repeat(3000) }),
    ],
    [
      'a long header name',
      (m: EmailMessage) =>
        (m.extraHeaders = { ['X-' + 'n'.repeat(890)]: 'v'.repeat(200) }),
    ],
    [
      'a long ASCII display name',
      (m: EmailMessage) => (m.replyTo = [`${'N'.repeat(950)} <r@example.com>`]),
    ],
    [
      'a long quoted display name',
      (m: EmailMessage) => (m.cc = [`"${'N,'.repeat(470)}" <r@example.com>`]),
    ],
    [
      'a long ASCII filename',
      (m: EmailMessage) =>
        m.attach(`${'f'.repeat(1200)}.txt`, 'b', 'text/plain'),
    ],
    [
      'a long non-ASCII filename',
      (m: EmailMessage) =>
        m.attach(`${'ü'.repeat(1200)}.bin`, Buffer.from('b')),
    ],
    ['a long body line', (m: EmailMessage) => (m.body = 'x'.repeat(5000))],
  ])(
    'keeps every line within 998 octets with %s, and round-trips it',
    async (_label, change) => {
      const msg = msgWith('body');
      change(msg);
      const { bytes, parsed } = await render(msg);
      expect(longestLine(bytes)).toBeLessThanOrEqual(998);
      expect(parsed.subject).toBe(msg.subject);
      expect(parsed.text).toBe(msg.body + '\n');
      for (const [name, value] of Object.entries(msg.extraHeaders))
        expect(
          decodeWords(parsed.headers.get(name.toLowerCase()) as string),
        ).toBe(value);
      expect(parsed.attachments.map((a) => a.filename)).toEqual(
        msg.attachments.map((a) => a.filename),
      );
      if (msg.replyTo.length)
        expect(parsed.replyTo?.value[0].name).toBe('N'.repeat(950));
      if (msg.cc.length)
        expect(
          parsed.cc && !Array.isArray(parsed.cc) && parsed.cc.value[0].name,
        ).toBe('N,'.repeat(470));
    },
  );

  it('refuses what cannot be folded or encoded: long Message-ID, long address, long header name', () => {
    const id = msgWith('b');
    id.extraHeaders = { 'Message-ID': `<${'i'.repeat(1000)}@example.com>` };
    expect(() => id.message()).toThrow(BadHeaderError);
    const addr = msgWith('b');
    addr.to = [`${'a'.repeat(250)}@example.com`];
    expect(() => addr.message()).toThrow(InvalidAddressError);
    const name = msgWith('b');
    name.extraHeaders = { ['X-' + 'n'.repeat(950)]: 'v' };
    expect(() => name.message()).toThrow(BadHeaderError);
  });

  it('refuses a raw message/rfc822 attachment with a line over 998 octets', () => {
    const msg = msgWith('b');
    msg.attach(
      null,
      'Subject: x\n\n' + 'r'.repeat(1500) + '\n',
      'message/rfc822',
    );
    expect(() => msg.message()).toThrow(MessageEncodingError);
    msg.attachments = [];
    msg.attach(
      null,
      'Subject: x\r\n\r\n' + 'r'.repeat(998) + '\r\n',
      'message/rfc822',
    );
    expect(() => msg.message()).not.toThrow();
  });

  it('normalises bare CR in the body so it cannot reach the wire', async () => {
    const { bytes, parsed } = await render(msgWith('a\rb\r\nc'));
    expect(bytes.includes(0x0d)).toBe(false);
    expect(parsed.text).toBe('a\nb\nc\n');
  });
});

describe('encoding = iso-8859-1', () => {
  function latin1Message() {
    const msg = new EmailMultiAlternatives(
      'Message from Firstname Sürname',
      'Firstname Sürname is a great guy.',
      'from@example.com',
      ['Firstname Sürname <to@example.com>'],
    );
    msg.encoding = 'iso-8859-1';
    msg.attachAlternative('<p>Firstname Sürname</p>', 'text/html');
    msg.attach('notes.txt', 'Sürname notes', 'text/plain');
    return msg;
  }

  it('changes the charset and bytes of the body, alternatives and text attachments', async () => {
    const { tree, bytes } = await render(latin1Message());
    const texts = leaves(tree).filter((n) => n.type.startsWith('text/'));
    expect(texts).toHaveLength(3);
    for (const part of texts) {
      expect(header(part, 'content-type')).toMatch(/charset=iso-8859-1/);
      expect(header(part, 'content-transfer-encoding')).toBe('8bit');
      expect(part.body).toContain('S\xfcrname');
    }
    expect(bytes.includes(Buffer.from('S\xfcrname', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('Sürname', 'utf8'))).toBe(false);
  });

  it('round-trips through mailparser', async () => {
    const { parsed } = await render(latin1Message());
    expect(parsed.text).toBe('Firstname Sürname is a great guy.\n');
    expect(parsed.html).toBe('<p>Firstname Sürname</p>\n');
    expect(parsed.attachments[0].content.toString('latin1')).toBe(
      'Sürname notes\n',
    );
  });

  it('leaves headers as UTF-8 encoded-words, pure ASCII', async () => {
    const { raw, parsed } = await render(latin1Message());
    const head = raw.slice(0, raw.indexOf('\n\n'));
    expect(head).toMatch(/^[\x00-\x7f]*$/);
    expect(head).toMatch(/=\?utf-8\?/i);
    expect(head).not.toMatch(/iso-8859-1/i);
    expect(parsed.subject).toBe('Message from Firstname Sürname');
  });

  it('uses the defaultCharset setting when encoding is null', async () => {
    const msg = msgWith('Sürname');
    const { tree } = await render(msg, { defaultCharset: 'iso-8859-1' });
    expect(header(tree, 'content-type')).toBe('text/plain; charset=iso-8859-1');
    expect(tree.body).toBe('S\xfcrname\n');
  });

  it('refuses text the charset cannot hold and unknown charsets', () => {
    const msg = msgWith('Снег');
    msg.encoding = 'iso-8859-1';
    expect(() => msg.message()).toThrow(MessageEncodingError);
    msg.encoding = 'klingon';
    expect(() => msg.message()).toThrow(MessageEncodingError);
  });
});
