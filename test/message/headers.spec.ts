import { describe, expect, it } from '@jest/globals';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { decodeWords, headerLines, render } from './helpers.js';

const RFC5322_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

const make = (headers: Record<string, string | Date> = {}) =>
  new EmailMessage('Subject', 'Body', 'from@example.com', ['to@example.com'], {
    cc: ['cc@example.com'],
    bcc: ['bcc@example.com'],
    replyTo: ['reply@example.com'],
    headers,
  });

describe('header overrides', () => {
  it('replace the displayed From/To/Cc/Reply-To but never the envelope', async () => {
    const msg = make({
      From: 'Shown Sender <shown-from@example.com>',
      To: 'shown-to@example.com',
      Cc: 'shown-cc@example.com',
      'Reply-To': 'shown-reply@example.com',
    });
    const { mime, parsed } = await render(msg);
    expect(parsed.from?.value).toEqual([
      { address: 'shown-from@example.com', name: 'Shown Sender' },
    ]);
    expect(mime.get('To')).toBe('shown-to@example.com');
    expect(mime.get('Cc')).toBe('shown-cc@example.com');
    expect(mime.get('Reply-To')).toBe('shown-reply@example.com');
    expect(mime.envelope).toEqual({
      from: 'from@example.com',
      to: ['to@example.com', 'cc@example.com', 'bcc@example.com'],
    });
  });

  it('are matched case-insensitively (a deliberate difference from Django)', async () => {
    const msg = make({ to: 'lower-to@example.com', FROM: 'upper@example.com' });
    const { raw, mime } = await render(msg);
    expect(mime.get('To')).toBe('lower-to@example.com');
    expect(mime.get('From')).toBe('upper@example.com');
    expect(raw.match(/^to:/gim)).toHaveLength(1);
    expect(raw.match(/^from:/gim)).toHaveLength(1);
    expect(mime.envelope.from).toBe('from@example.com');
  });

  it('can show a To header even when to is empty (mailing-list style)', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', [], {
      bcc: ['real@example.com'],
      headers: { To: 'list@example.com' },
    });
    const { mime } = await render(msg);
    expect(mime.get('To')).toBe('list@example.com');
    expect(mime.envelope.to).toEqual(['real@example.com']);
  });

  it('accept a list of several mailboxes in one override', async () => {
    const msg = make({ To: '"Ng, Mary" <mary@example.com>, bob@example.com' });
    const { parsed } = await render(msg);
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value).toEqual([
      { address: 'mary@example.com', name: 'Ng, Mary' },
      { address: 'bob@example.com', name: '' },
    ]);
  });

  it('validate addresses in overrides', () => {
    expect(() => make({ To: 'to@other.com@example.com' }).message()).toThrow(
      BadHeaderError,
    );
    expect(() => make({ Sender: '@' }).message()).toThrow(BadHeaderError);
  });

  it('omit To, Cc and Reply-To when empty', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', []);
    const { raw } = await render(msg);
    expect(raw).not.toMatch(/^(to|cc|reply-to):/im);
  });

  it('keep extra headers, in order, with their name case', async () => {
    const msg = make({ 'X-First': '1', 'x-second': '2', 'X-Third': '3' });
    const lines = headerLines((await render(msg)).raw);
    const extra = lines.filter((l) => /^x-/i.test(l));
    // nodemailer normalises the name's case (Django keeps it as given).
    expect(extra.map((l) => l.toLowerCase())).toEqual([
      'x-first: 1',
      'x-second: 2',
      'x-third: 3',
    ]);
  });
});

describe('Bcc', () => {
  it.each(['Bcc', 'bcc', 'BCC', 'bCc'])(
    "refuses a %s key in headers with Django's message",
    (key) => {
      const msg = make({ [key]: 'x@example.com' });
      expect(() => msg.message()).toThrow(BadHeaderError);
      expect(() => msg.message()).toThrow(
        'Bcc is not a valid email header. Use the "bcc" argument to specify blind carbon copy recipients.',
      );
    },
  );

  it('never appears in the output bytes, but is in the envelope', async () => {
    const msg = make();
    msg.bcc = ['secret-one@example.com', 'Secret Two <secret-two@example.com>'];
    const { raw, parsed, mime } = await render(msg);
    expect(raw).not.toMatch(/bcc/i);
    expect(raw).not.toContain('secret');
    expect(parsed.bcc).toBeUndefined();
    expect(mime.get('Bcc')).toBeUndefined();
    expect(mime.envelope.to).toEqual([
      'to@example.com',
      'cc@example.com',
      'secret-one@example.com',
      'secret-two@example.com',
    ]);
  });
});

describe('Date', () => {
  it('is added in RFC 5322 format with +0000 by default', async () => {
    const before = Date.now();
    const { mime, parsed } = await render(make());
    const date = mime.get('Date')!;
    expect(date).toMatch(RFC5322_DATE);
    expect(date.endsWith(' +0000')).toBe(true);
    expect(parsed.date!.getTime()).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    expect(parsed.date!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('uses the local offset with useLocaltime', () => {
    const date = make().message({ useLocaltime: true }).get('Date')!;
    expect(date).toMatch(RFC5322_DATE);
    const offset = -new Date().getTimezoneOffset();
    const sign = offset < 0 ? '-' : '+';
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
    const mm = String(Math.abs(offset) % 60).padStart(2, '0');
    expect(date.slice(-5)).toBe(`${sign}${hh}${mm}`);
  });

  it('formats a Date object given in headers as RFC 5322', async () => {
    const when = new Date(Date.UTC(2001, 10, 9, 1, 8, 47));
    const { mime, raw } = await render(make({ Date: when }));
    expect(mime.get('Date')).toBe('Fri, 09 Nov 2001 01:08:47 +0000');
    expect(raw.match(/^date:/gim)).toHaveLength(1);
  });

  it.each(['Date', 'date', 'DATE'])(
    'is not added when headers has %s',
    async (key) => {
      const { raw } = await render(
        make({ [key]: 'Tue, 01 Jan 2030 00:00:00 +0000' }),
      );
      const dates = headerLines(raw).filter((l) => /^date:/i.test(l));
      expect(dates).toEqual(['Date: Tue, 01 Jan 2030 00:00:00 +0000']);
    },
  );
});

describe('Message-ID', () => {
  it('is generated in make_msgid form', () => {
    expect(make().message().get('Message-ID')).toMatch(
      /^<\d+\.\d+\.\d+@[A-Za-z0-9.-]+>$/,
    );
  });

  it('is generated once per message object: the same across message() calls', () => {
    const msg = make();
    const first = msg.message().get('Message-ID');
    msg.subject = 'changed';
    expect(msg.message().get('Message-ID')).toBe(first);
  });

  it('differs between two message objects', () => {
    expect(make().message().get('Message-ID')).not.toBe(
      make().message().get('Message-ID'),
    );
  });

  it('is kept by clone()', () => {
    const msg = make();
    const id = msg.message().get('Message-ID');
    expect(msg.clone().message().get('Message-ID')).toBe(id);
  });

  it.each(['Message-ID', 'message-id', 'MESSAGE-ID', 'Message-Id'])(
    'is not added when headers has %s',
    async (key) => {
      const { raw } = await render(make({ [key]: '<given@example.com>' }));
      const ids = headerLines(raw).filter((l) => /^message-id:/i.test(l));
      expect(ids).toEqual(['Message-ID: <given@example.com>']);
    },
  );
});

describe('header encoding', () => {
  it('produces pure ASCII headers and round-trips non-ASCII values', async () => {
    const msg = new EmailMessage(
      'Gżegżółka',
      'Body',
      'Firstname Sürname <from@example.com>',
      ['"Sürname, Firstname" <to@example.com>'],
      { headers: { Comments: 'My Sürname is non-ASCII' } },
    );
    const { raw, parsed, mime } = await render(msg);
    const head = raw.slice(0, raw.indexOf('\n\n'));
    expect(head).toMatch(/^[\x00-\x7f]*$/);
    expect(parsed.subject).toBe('Gżegżółka');
    expect(decodeWords(mime.get('Comments')!)).toBe('My Sürname is non-ASCII');
    expect(parsed.from?.value[0].name).toBe('Firstname Sürname');
    expect(!Array.isArray(parsed.to) && parsed.to?.value[0]).toEqual({
      address: 'to@example.com',
      name: 'Sürname, Firstname',
    });
  });

  it('folds long headers so no header line exceeds 78 characters', async () => {
    const subject =
      'Long subject lines that get wrapped should contain a space continuation character to comply with RFC 822';
    const msg = make({ 'X-Long': 'word '.repeat(60).trim() });
    msg.subject = subject;
    const { raw, parsed } = await render(msg);
    for (const line of headerLines(raw))
      expect(line.length).toBeLessThanOrEqual(78);
    expect(parsed.subject).toBe(subject);
    expect(parsed.headers.get('x-long')).toBe('word '.repeat(60).trim());
  });

  it('folds so every run of white space survives unfolding, by any parser', async () => {
    const value = `a${' '.repeat(3)}${'x'.repeat(60)}\t\t${'y'.repeat(9)}  z ${'w '.repeat(50).trim()}`;
    const msg = make({ 'X-Runs': value });
    msg.subject = `Re:${' '.repeat(5)}${'s'.repeat(75)}  t`;
    const { raw, parsed } = await render(msg);
    for (const line of headerLines(raw)) {
      expect(line.length).toBeLessThanOrEqual(78);
      // A continuation starts with exactly one space, then visible text.
      if (/^[ \t]/.test(line)) expect(line).toMatch(/^ [^ \t]/);
    }
    const block = raw.slice(0, raw.indexOf('\n\n'));
    const field = (unfold: (b: string) => string, name: string) =>
      unfold(block)
        .split('\n')
        .find((l) => l.toLowerCase().startsWith(`${name}:`))!
        .slice(name.length + 2);
    // RFC 5322 §2.2.3 removes the line break; libmime turns it and the white space after it into one space.
    for (const unfold of [
      (b: string) => b.replace(/\n(?=[ \t])/g, ''),
      (b: string) => b.replace(/\n[ \t]+/g, ' '),
    ]) {
      expect(field(unfold, 'x-runs')).toBe(value);
      expect(field(unfold, 'subject')).toBe(msg.subject);
    }
    expect(parsed.headers.get('x-runs')).toBe(value);
    expect(parsed.subject).toBe(msg.subject);
  });

  it('does not fold at a tab while the line fits in 998 octets (libmime reads it as a space)', async () => {
    const value = `#\t${'x'.repeat(90)}`;
    const msg = make({ 'X-Tab': value });
    msg.subject = value;
    const { parsed } = await render(msg);
    expect(parsed.subject).toBe(value);
    expect(parsed.headers.get('x-tab')).toBe(value);
  });

  it('keeps a line under 998 octets even in a run of white space', async () => {
    const value = `a${' '.repeat(1500)}b`;
    const { raw, mime } = await render(make({ 'X-Spaces': value }));
    for (const line of headerLines(raw))
      expect(line.length).toBeLessThanOrEqual(998);
    expect(mime.get('X-Spaces')).toBe(value);
  });

  it.each([
    ['a whole encoded word', '=?utf-8?q?x?='],
    ['an encoded word in text', 'Re: =?UTF-8?B?w6k=?= and more'],
    ['two encoded words', '=?utf-8?q?a?= =?utf-8?q?b?='],
    ['a word glued to text', 'x=?iso-8859-1?Q?y?=z'],
  ])(
    'encodes text that looks like an encoded word (%s), so it reads back as typed',
    async (_case, text) => {
      const msg = make({ 'X-Text': text, Comments: `c ${text}` });
      msg.subject = text;
      msg.to = [`${JSON.stringify(text)} <to@example.com>`];
      const { parsed, mime } = await render(msg);
      expect(parsed.subject).toBe(text);
      expect(mime.get('Subject')).toMatch(/^=\?UTF-8\?Q\?/);
      expect(decodeWords(mime.get('X-Text')!)).toBe(text);
      expect(decodeWords(mime.get('Comments')!)).toBe(`c ${text}`);
      expect(!Array.isArray(parsed.to) && parsed.to?.value[0]).toEqual({
        address: 'to@example.com',
        name: text,
      });
    },
  );

  it('leaves text with an incomplete encoded word as plain text', () => {
    const msg = make({ 'X-Text': 'a =?utf-8?q? b' });
    msg.subject = 'cost =? 5';
    expect(msg.message().get('Subject')).toBe('cost =? 5');
    expect(msg.message().get('X-Text')).toBe('a =?utf-8?q? b');
  });

  it('uses UTF-8 for headers even with encoding = iso-8859-1', async () => {
    const msg = make();
    msg.subject = 'Message from Firstname Sürname';
    msg.encoding = 'iso-8859-1';
    const { raw, parsed } = await render(msg);
    expect(headerLines(raw).find((l) => l.startsWith('Subject:'))).toMatch(
      /=\?utf-8\?/i,
    );
    expect(raw).not.toMatch(/=\?iso-8859-1\?/i);
    expect(parsed.subject).toBe('Message from Firstname Sürname');
  });

  it('sends an empty Subject header, as Django does', async () => {
    const { raw, parsed } = await render(
      new EmailMessage('', 'b', 'f@example.com', ['t@example.com']),
    );
    expect(raw).toMatch(/^Subject: ?$/m);
    expect(parsed.subject ?? '').toBe('');
  });
});
