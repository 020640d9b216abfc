import { describe, expect, it } from '@jest/globals';
import type { AddressObject } from 'mailparser';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import {
  EmailMessage,
  MAX_RECIPIENTS,
} from '../../lib/message/email-message.js';
import { headerLines, render } from './helpers.js';

const first = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.value;

const to = (...addresses: string[]) =>
  new EmailMessage('s', 'b', 'from@example.com', addresses);

/** The raw, unfolded value of a top-level header line. */
function rawHeader(raw: string, name: string): string | undefined {
  const unfolded = raw
    .slice(0, raw.indexOf('\n\n'))
    .replace(/\n[ \t]/g, ' ')
    .split('\n');
  const line = unfolded.find((l) =>
    l.toLowerCase().startsWith(name.toLowerCase() + ':'),
  );
  return line?.slice(name.length + 1).trim();
}

describe('accepted address forms', () => {
  it('renders Name <a@b>', async () => {
    const { parsed, mime } = await render(to('Name <to@example.com>'));
    expect(mime.get('To')).toBe('Name <to@example.com>');
    expect(first(parsed.to)).toEqual([
      { address: 'to@example.com', name: 'Name' },
    ]);
  });

  it('round-trips a comma in a quoted display name', async () => {
    const { parsed, mime } = await render(to('"Ng, Mary" <mary@example.com>'));
    expect(mime.get('To')).toBe('"Ng, Mary" <mary@example.com>');
    expect(first(parsed.to)).toEqual([
      { address: 'mary@example.com', name: 'Ng, Mary' },
    ]);
    expect(mime.envelope.to).toEqual(['mary@example.com']);
  });

  it('round-trips an @ inside a quoted display name', async () => {
    const { parsed, mime } = await render(
      to('"to@other.com" <to@example.com>'),
    );
    expect(first(parsed.to)).toEqual([
      { address: 'to@example.com', name: 'to@other.com' },
    ]);
    expect(mime.envelope.to).toEqual(['to@example.com']);
  });

  it('accepts a quoted local part', async () => {
    const { parsed, mime } = await render(to('"to@other.com"@example.com'));
    expect(first(parsed.to)).toEqual([
      { address: '"to@other.com"@example.com', name: '' },
    ]);
    expect(mime.envelope.to).toEqual(['"to@other.com"@example.com']);
  });

  it('accepts a local-part-only address (rendered as <django>)', async () => {
    const msg = new EmailMessage('s', 'b', 'django', ['localpartonly']);
    const { raw, mime } = await render(msg);
    expect(rawHeader(raw, 'From')).toBe('<django>');
    expect(rawHeader(raw, 'To')).toBe('<localpartonly>');
    expect(mime.envelope).toEqual({ from: 'django', to: ['localpartonly'] });
  });

  it('keeps several recipients, in order, with names', async () => {
    const { parsed } = await render(
      to('A <a@example.com>', 'b@example.com', '"C, c" <c@example.com>'),
    );
    expect(first(parsed.to)).toEqual([
      { address: 'a@example.com', name: 'A' },
      { address: 'b@example.com', name: '' },
      { address: 'c@example.com', name: 'C, c' },
    ]);
  });

  it('keeps duplicate recipients in the envelope', () => {
    const mime = to('a@example.com', 'A <a@example.com>').message();
    expect(mime.envelope.to).toEqual(['a@example.com', 'a@example.com']);
  });
});

describe('invalid addresses', () => {
  it.each([
    'to@other.com@example.com',
    '@',
    'to@',
    '@example.com',
    'good@good.com(comment)@evil.com',
    '"user"@example.com(x)evil.com',
    'a@x, b@y',
    'A <a@x>, B <b@y>',
    'Name <a@x',
    'a@-bad-.com',
    'nø@example.com',
    'Tø <nø@example.com>',
  ])('refuses %j as InvalidAddressError in every field', (address) => {
    for (const field of ['fromEmail', 'to', 'cc', 'bcc', 'replyTo'] as const) {
      const msg = to('ok@example.com');
      if (field === 'fromEmail') msg.fromEmail = address;
      else msg[field] = [address];
      let thrown: unknown;
      try {
        msg.message();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(InvalidAddressError);
      expect(thrown).toBeInstanceOf(BadHeaderError);
      expect((thrown as InvalidAddressError).address).toBe(address);
    }
  });

  it('says why a list item with two mailboxes is refused', () => {
    expect(() => to('"a@x, b@y"'.slice(1, -1)).message()).toThrow(
      'must be a single address',
    );
  });

  it('says a non-ASCII local part is not supported', () => {
    expect(() => to('nø@example.com').message()).toThrow(/non-ASCII/);
  });
});

describe('recipient count', () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => `u${i}@example.com`);

  it(`accepts ${MAX_RECIPIENTS} recipients across to, cc and bcc`, () => {
    const msg = to(...many(500));
    msg.cc = many(300);
    msg.bcc = [...many(200), '', ''];
    msg.replyTo = many(MAX_RECIPIENTS);
    expect(msg.message().envelope.to).toHaveLength(MAX_RECIPIENTS);
  });

  it('refuses one more, and says what to do instead', () => {
    const msg = to(...many(500));
    msg.bcc = many(501);
    expect(() => msg.message()).toThrow(BadHeaderError);
    expect(() => msg.message()).toThrow(
      /1001 recipients \(to \+ cc \+ bcc\); one message may have at most 1000\. Split them into several messages.*sendMassMail/,
    );
  });

  it('refuses too many replyTo addresses', () => {
    const msg = to('a@example.com');
    msg.replyTo = many(MAX_RECIPIENTS + 1);
    expect(() => msg.message()).toThrow(/1001 replyTo addresses/);
  });

  it('fails fast on 100,000 items, before parsing any of them', () => {
    // Every item is invalid (a comment): the count error, not a parse error,
    // shows the list was refused before any item was parsed.
    const msg = to(...many(100_000).map((a) => `${a}(comment)`));
    expect(() => msg.message()).toThrow(/100000 recipients/);
  });
});

describe('internationalised domains', () => {
  it('punycodes a non-ASCII domain in the header and the envelope', async () => {
    const msg = new EmailMessage('s', 'b', 'from@öäü.com', ['to@éxample.com'], {
      cc: ['cc@öäü.com'],
      bcc: ['bcc@éxample.com'],
      replyTo: ['Reply <reply@öäü.com>'],
    });
    const { raw, mime } = await render(msg);
    expect(rawHeader(raw, 'From')).toBe('from@xn--4ca9at.com');
    expect(rawHeader(raw, 'To')).toBe('to@xn--xample-9ua.com');
    expect(rawHeader(raw, 'Cc')).toBe('cc@xn--4ca9at.com');
    expect(rawHeader(raw, 'Reply-To')).toBe('Reply <reply@xn--4ca9at.com>');
    expect(mime.envelope).toEqual({
      from: 'from@xn--4ca9at.com',
      to: [
        'to@xn--xample-9ua.com',
        'cc@xn--4ca9at.com',
        'bcc@xn--xample-9ua.com',
      ],
    });
    expect(raw.slice(0, raw.indexOf('\n\n'))).toMatch(/^[\x00-\x7f]*$/);
  });

  it('punycodes a Cyrillic look-alike letter (user@exаmple.com)', async () => {
    const { raw, mime } = await render(to('user@ex\u0430mple.com'));
    expect(rawHeader(raw, 'To')).toBe('user@xn--exmple-4nf.com');
    expect(mime.envelope.to).toEqual(['user@xn--exmple-4nf.com']);
  });

  it('punycodes domains in header overrides but keeps the envelope from the attributes', async () => {
    const msg = new EmailMessage(
      's',
      'b',
      'lists@discussão.example.org',
      ['t@example.com'],
      {
        headers: { From: 'Gestor de listas <lists@discussão.example.org>' },
      },
    );
    const { raw, mime } = await render(msg);
    expect(rawHeader(raw, 'From')).toBe(
      'Gestor de listas <lists@xn--discusso-xza.example.org>',
    );
    expect(mime.envelope.from).toBe('lists@xn--discusso-xza.example.org');
  });

  it('leaves an already-punycoded domain byte for byte', async () => {
    const address = 'to@xn--fa-hia.example.com';
    const { raw, mime } = await render(
      to(address, 'UPPER@XN--FA-HIA.Example.COM'),
    );
    expect(rawHeader(raw, 'To')).toBe(
      `${address}, UPPER@XN--FA-HIA.Example.COM`,
    );
    expect(mime.envelope.to).toEqual([address, 'UPPER@XN--FA-HIA.Example.COM']);
  });
});

describe('non-ASCII display names', () => {
  it('are RFC 2047 encoded and round-trip', async () => {
    const msg = new EmailMessage(
      's',
      'b',
      'Firstname Sürname <from@example.com>',
      [
        '"Firstname Sürname" <to@example.com>',
        'other@example.com',
        '"Sürname, Firstname" <to2@example.com>',
      ],
    );
    const { raw, parsed } = await render(msg);
    const head = headerLines(raw).join('\n');
    expect(head).toMatch(/^[\x00-\x7f]*$/);
    expect(head).toMatch(/=\?utf-8\?[bq]\?/i);
    expect(first(parsed.from)).toEqual([
      { address: 'from@example.com', name: 'Firstname Sürname' },
    ]);
    expect(first(parsed.to)).toEqual([
      { address: 'to@example.com', name: 'Firstname Sürname' },
      { address: 'other@example.com', name: '' },
      { address: 'to2@example.com', name: 'Sürname, Firstname' },
    ]);
  });

  it('are encoded and folded when long', async () => {
    const name = 'Tröstlich ' + 'Überlanger Name '.repeat(8);
    const { raw, parsed } = await render(
      to(`"${name.trim()}" <to@example.com>`),
    );
    for (const line of headerLines(raw))
      expect(line.length).toBeLessThanOrEqual(78);
    expect(first(parsed.to)).toEqual([
      { address: 'to@example.com', name: name.trim() },
    ]);
  });
});
