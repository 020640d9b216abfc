import { describe, expect, it } from '@jest/globals';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { BadHeaderError as PublicBadHeaderError } from '../../lib/index.js';

const NEWLINES = [
  ['\\n', '\n'],
  ['\\r\\n', '\r\n'],
  ['bare \\r', '\r'],
] as const;

const base = () =>
  new EmailMessage('Subject', 'Body', 'from@example.com', ['to@example.com']);

/** Asserts message() refuses the message with a BadHeaderError. */
function expectBadHeader(msg: EmailMessage): void {
  let thrown: unknown;
  try {
    msg.message();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(BadHeaderError);
  expect(thrown).toBeInstanceOf(Error);
}

describe('BadHeaderError', () => {
  it('is exported from the package entry and is an Error', () => {
    expect(PublicBadHeaderError).toBe(BadHeaderError);
    const err = new BadHeaderError('x');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('BadHeaderError');
  });
});

describe('header injection', () => {
  it.each([
    'Name\nInjection <to@example.com>',
    '"Name\r\nInjection" <to@example.com>',
    'Name <to\ninjection@example.com>',
    'to\ninjection@example.com',
  ])("Django's example %j is refused in every address field", (address) => {
    for (const set of [
      (m: EmailMessage) => (m.fromEmail = address),
      (m: EmailMessage) => (m.to = [address]),
      (m: EmailMessage) => (m.cc = [address]),
      (m: EmailMessage) => (m.bcc = [address]),
      (m: EmailMessage) => (m.replyTo = [address]),
    ]) {
      const msg = base();
      set(msg);
      expectBadHeader(msg);
    }
  });

  describe.each(NEWLINES)('with %s', (_label, nl) => {
    it('refuses it in the subject', () => {
      const msg = base();
      msg.subject = `Hi${nl}Bcc: evil@attacker.test`;
      expectBadHeader(msg);
    });

    it.each(['fromEmail', 'to', 'cc', 'bcc', 'replyTo'] as const)(
      'refuses it in the display name of %s',
      (field) => {
        const msg = base();
        const address = `Name${nl}Injection <x@example.com>`;
        if (field === 'fromEmail') msg.fromEmail = address;
        else msg[field] = [address];
        expectBadHeader(msg);
      },
    );

    it.each(['fromEmail', 'to', 'cc', 'bcc', 'replyTo'] as const)(
      'refuses it in the address part of %s',
      (field) => {
        const msg = base();
        const address = `Name <x${nl}injection@example.com>`;
        if (field === 'fromEmail') msg.fromEmail = address;
        else msg[field] = [address];
        expectBadHeader(msg);
      },
    );

    it.each(['From', 'To', 'Cc', 'Reply-To', 'Sender'])(
      'refuses it in the %s header override',
      (name) => {
        const msg = base();
        msg.extraHeaders = { [name]: `a@example.com${nl}Bcc: evil@x.test` };
        expectBadHeader(msg);
      },
    );

    it('refuses it in an extra header value', () => {
      const msg = base();
      msg.extraHeaders = { 'X-Custom': `v${nl}Bcc: x` };
      expectBadHeader(msg);
    });

    it('refuses it in an extra header name', () => {
      const msg = base();
      msg.extraHeaders = { [`X-A: b${nl}X-C`]: 'v' };
      expectBadHeader(msg);
    });

    it('refuses it in a given Message-ID', () => {
      const msg = base();
      msg.extraHeaders = { 'Message-ID': `<a@b>${nl}Bcc: x` };
      expectBadHeader(msg);
    });

    it('refuses it in a given Date string', () => {
      const msg = base();
      msg.extraHeaders = { Date: `Fri, 09 Nov 2001 01:08:47 +0000${nl}Bcc: x` };
      expectBadHeader(msg);
    });

    it('refuses it in an attachment filename', () => {
      const msg = base();
      msg.attach(`a.txt"${nl}Bcc: evil@x`, 'content', 'text/plain');
      expectBadHeader(msg);
    });

    it('refuses it in an attachment filename assigned directly', () => {
      const msg = base();
      msg.attachments = [
        {
          filename: `a.bin${nl}X: y`,
          content: Buffer.from('x'),
          mimetype: 'application/octet-stream',
        },
      ];
      expectBadHeader(msg);
    });

    it('refuses it in an attachment mimetype', () => {
      const msg = base();
      msg.attach('a.txt', 'content', `text/plain${nl}Bcc: x`);
      expectBadHeader(msg);
    });

    it('refuses it in an alternative mimetype', () => {
      const msg = new EmailMultiAlternatives('s', 'b', 'f@example.com', [
        't@example.com',
      ]);
      msg.attachAlternative('<p>x</p>', `text/html${nl}Bcc: x`);
      expectBadHeader(msg);
    });

    it('refuses it in contentSubtype', () => {
      const msg = base();
      msg.contentSubtype = `html${nl}Bcc: x`;
      expectBadHeader(msg);
    });

    it('refuses it in a nested message/rfc822 attachment', () => {
      const inner = new EmailMessage(`In${nl}Bcc: x`, 'b', 'f@example.com', [
        't@example.com',
      ]);
      const msg = base();
      msg.attach(null, inner);
      expectBadHeader(msg);
    });
  });

  it("uses Django's wording for a line break", () => {
    const msg = base();
    msg.subject = 'Hi\r\nBcc: evil@attacker.test';
    expect(() => msg.message()).toThrow(
      'Header values may not contain linefeed or carriage return characters',
    );
  });

  it('does not check the body: header-like text there stays in the body', async () => {
    const msg = base();
    msg.body = 'Bcc: not-a-header@example.com\n\nrest';
    const text = await msg.message().asString();
    expect(text).toContain('\n\nBcc: not-a-header@example.com\n');
  });

  it('never lets an injected line reach the output', async () => {
    const msg = base();
    msg.subject = 'Hi\r\nBcc: evil@attacker.test';
    expect(() => msg.message()).toThrow(BadHeaderError);
    // and a clean render has no Bcc line at all
    msg.subject = 'Hi';
    msg.bcc = ['hidden@example.com'];
    const out = await msg.message().asString();
    expect(out).not.toMatch(/^bcc:/im);
    expect(out).not.toContain('hidden@example.com');
  });
});
