import { describe, expect, it } from '@jest/globals';
import iconv from 'iconv-lite';
import type { AddressObject } from 'mailparser';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import { MessageEncodingError } from '../../lib/errors/message-encoding.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { header, headerLines, leaves, render } from './helpers.js';

const RUSSIAN = 'Съешь же ещё этих мягких французских булок';
const WESTERN = 'Café “quoted” – 5 €';

const message = (body: string, to = ['to@example.com']) =>
  new EmailMultiAlternatives('Subject', body, 'from@example.com', to);

const names = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) =>
    v.value.flatMap((a) =>
      a.group ? a.group.map((m) => m.name || m.address) : [a.name || a.address],
    ),
  );

describe('charsets', () => {
  it.each([
    ['koi8-r', RUSSIAN],
    ['windows-1252', WESTERN],
    ['iso-8859-15', 'Œuvre à 5 €'],
  ])(
    'encodes body, alternative and text attachment in %s and reads back',
    async (charset, text) => {
      const msg = message(text);
      msg.encoding = charset;
      msg.attachAlternative(`<p>${text}</p>`, 'text/html');
      msg.attach('notes.txt', text, 'text/plain');
      const { tree, bytes, parsed } = await render(msg);
      const texts = leaves(tree).filter((n) => n.type.startsWith('text/'));
      expect(texts).toHaveLength(3);
      for (const part of texts)
        expect(header(part, 'content-type')).toMatch(
          new RegExp(`charset=${charset}$`),
        );
      expect(bytes.includes(Buffer.from(text, 'utf8'))).toBe(false);
      expect(parsed.text).toBe(`${text}\n`);
      expect(parsed.html).toBe(`<p>${text}</p>\n`);
      expect(parsed.attachments[0].content.length).toBeGreaterThan(0);
    },
  );

  it('uses defaultCharset when encoding is null, and a charset parameter of a text attachment', async () => {
    const msg = message(WESTERN);
    msg.attach('ru.txt', RUSSIAN, 'text/plain; charset=koi8-r');
    const { tree, parsed } = await render(msg, {
      defaultCharset: 'windows-1252',
    });
    expect(header(tree.children[0], 'content-type')).toBe(
      'text/plain; charset=windows-1252',
    );
    expect(header(tree.children[1], 'content-type')).toBe(
      'text/plain; charset=koi8-r',
    );
    expect(parsed.text).toBe(`${WESTERN}\n`);
  });

  it('sends text bytes with a charset parameter as they are', async () => {
    const msg = message('b');
    const koi8 = iconv.encode(RUSSIAN, 'koi8-r');
    msg.attach('ru.txt', koi8, 'text/plain; charset=koi8-r');
    expect(msg.attachments[0].mimetype).toBe('text/plain; charset=koi8-r');
    const { tree, parsed } = await render(msg);
    expect(header(tree.children[1], 'content-type')).toBe(
      'text/plain; charset=koi8-r',
    );
    expect(header(tree.children[1], 'content-transfer-encoding')).toBe('8bit');
    expect(parsed.attachments[0].content.equals(koi8)).toBe(true);
  });

  it('refuses text a charset cannot hold, and unknown charsets, with MessageEncodingError', () => {
    const msg = message(RUSSIAN);
    msg.encoding = 'windows-1252';
    expect(() => msg.message()).toThrow(/windows-1252 cannot encode/);
    msg.encoding = 'us-ascii';
    expect(() => msg.message()).toThrow(MessageEncodingError);
    msg.encoding = 'no-such-charset';
    expect(() => msg.message()).toThrow(/Unknown charset "no-such-charset"/);
    msg.encoding = 'utf-8; x=1';
    expect(() => msg.message()).toThrow(MessageEncodingError);
  });
});

describe('attachments as Django sends them', () => {
  it('sends no Content-Disposition for an attachment without a filename', async () => {
    const msg = message('b');
    msg.attach(null, Buffer.from('%PDF-1.4'), 'application/pdf');
    const { tree, parsed } = await render(msg);
    expect(header(tree.children[1], 'content-disposition')).toBeUndefined();
    expect(parsed.attachments[0].content.toString()).toBe('%PDF-1.4');
  });

  it('never adds a name= parameter; a non-ASCII filename goes in RFC 2231 and reads back', async () => {
    const msg = message('b');
    msg.attach('report.pdf', Buffer.from('a'), 'application/pdf');
    msg.attach('Grüße – März.pdf', Buffer.from('b'), 'application/pdf');
    const { raw, tree, parsed } = await render(msg);
    expect(raw).not.toMatch(/[;\s]name\*?=/);
    expect(raw).not.toMatch(/"=\?/);
    expect(header(tree.children[2], 'content-disposition')).toMatch(
      /^attachment; filename\*0\*=utf-8''Gr%C3%BC/,
    );
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      'report.pdf',
      'Grüße – März.pdf',
    ]);
  });

  it.each([
    ['notes.md', 'text/markdown'],
    ['invite.ics', 'text/calendar'],
    ['photo.webp', 'image/webp'],
    ['data.json', 'application/json'],
    ['archive.unknownext', 'application/octet-stream'],
    ['noextension', 'application/octet-stream'],
  ])('guesses the type of %s as %s', (filename, type) => {
    const msg = message('b');
    msg.attach(filename, Buffer.from('x'));
    expect(msg.attachments[0].mimetype).toBe(type);
  });
});

describe('addresses as Django accepts them', () => {
  it('sends a Bcc-only mail with To: undisclosed-recipients:; and the group adds no recipient', async () => {
    const msg = new EmailMessage('s', 'b', 'from@example.com', [], {
      bcc: ['hidden@example.com'],
      headers: { To: 'undisclosed-recipients:;' },
    });
    const { raw, mime } = await render(msg);
    expect(headerLines(raw)).toContain('To: undisclosed-recipients:;');
    expect(mime.envelope.to).toEqual(['hidden@example.com']);
  });

  it('shows a group with members in a Cc override, next to mailboxes', async () => {
    const msg = message('b');
    msg.extraHeaders = {
      Cc: 'Ann <ann@example.com>, Team: a@example.com, "B, b" <b@example.com>;, c@example.com',
    };
    const { raw, parsed, mime } = await render(msg);
    expect(headerLines(raw).join('\n')).toMatch(
      /^Cc: Ann <ann@example\.com>, Team:a@example\.com, "B, b" <b@example\.com>;,\s+c@example\.com$/m,
    );
    expect(names(parsed.cc)).toEqual([
      'Ann',
      'a@example.com',
      'B, b',
      'c@example.com',
    ]);
    expect(mime.envelope.to).toEqual(['to@example.com']);
  });

  it('refuses a group in the recipient lists and in From, and an unterminated group', () => {
    for (const set of [
      (m: EmailMessage) => (m.to = ['undisclosed-recipients:;']),
      (m: EmailMessage) => (m.bcc = ['Team: a@example.com;']),
      (m: EmailMessage) => (m.extraHeaders = { From: 'Team: a@example.com;' }),
      (m: EmailMessage) => (m.extraHeaders = { To: 'Team: a@example.com' }),
      (m: EmailMessage) =>
        (m.extraHeaders = { To: 'Team: a@example.com\r\n;' }),
    ]) {
      const msg = message('b');
      set(msg);
      expect(() => msg.message()).toThrow(BadHeaderError);
    }
    const msg = message('b');
    msg.to = ['undisclosed-recipients:;'];
    expect(() => msg.message()).toThrow(
      /only allowed in a To, Cc or Reply-To header override/,
    );
  });

  it('accepts comments: the address is sent, a comment without a display name becomes one', async () => {
    const msg = message('b', [
      'john@example.com (John Smith)',
      'Ann (work) <ann@example.com>',
      'bob@example.com (Bob (the) builder)',
    ]);
    msg.cc = ['(leading) carl@example.com'];
    const { parsed, mime } = await render(msg);
    expect(mime.envelope.to).toEqual([
      'john@example.com',
      'ann@example.com',
      'bob@example.com',
      'carl@example.com',
    ]);
    // A nested comment is part of the outer one's text (RFC 5322 §3.2.2).
    expect(mime.get('To')).toBe(
      'John Smith <john@example.com>, Ann <ann@example.com>, "Bob (the) builder" <bob@example.com>',
    );
    expect(names(parsed.to)).toEqual([
      'John Smith',
      'Ann',
      'Bob (the) builder',
    ]);
    expect(names(parsed.cc)).toEqual(['leading']);
  });

  it('refuses a comment that hides a second address or never ends', () => {
    for (const address of [
      'good@good.com(comment)@evil.com',
      'a@example.com (unterminated',
      'a@example.com )',
    ]) {
      const msg = message('b', [address]);
      expect(() => msg.message()).toThrow(InvalidAddressError);
    }
  });
});

describe('headers that must be ASCII', () => {
  it.each(['Message-ID', 'References', 'In-Reply-To'])(
    'refuses non-ASCII in %s with BadHeaderError',
    (name) => {
      for (const bad of [
        '<a\u0085b@example.com>',
        '<a\u2028b@example.com>',
        '<ａｂ@example.com>',
        '<ü@example.com>',
      ]) {
        const msg = message('b');
        msg.extraHeaders = { [name]: bad };
        expect(() => msg.message()).toThrow(BadHeaderError);
      }
      const ok = message('b');
      ok.extraHeaders = { [name]: '<a@example.com>' };
      expect(ok.message().get(name)).toBe('<a@example.com>');
    },
  );

  it('refuses non-ASCII in a Date given as text, which cannot be encoded either', () => {
    const msg = message('b');
    msg.extraHeaders = { Date: 'Mon, 30 Nov 2026 12:00:00 +0000\u2028' };
    expect(() => msg.message()).toThrow(/Date header must be printable ASCII/);
    msg.extraHeaders = { Date: 'Mon, 30 Nov 2026 12:00:00 +0000' };
    expect(msg.message().get('Date')).toBe('Mon, 30 Nov 2026 12:00:00 +0000');
  });
});
