import { describe, expect, it } from '@jest/globals';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { MimeMessage } from '../../lib/message/mime-message.js';
import { render } from './helpers.js';

describe('EmailMessage construction', () => {
  it('takes subject, body, fromEmail, to positionally and the rest as options', async () => {
    const msg = new EmailMessage(
      'Subject',
      'Content',
      'from@example.com',
      ['to@example.com'],
      {
        cc: ['cc@example.com'],
        bcc: ['bcc@example.com'],
        replyTo: ['reply@example.com'],
        headers: { 'X-Tag': 'one' },
        attachments: [
          { filename: 'a.txt', content: 'A', mimetype: 'text/plain' },
        ],
      },
    );
    const { parsed, mime } = await render(msg);
    expect(parsed.subject).toBe('Subject');
    expect(parsed.text).toBe('Content\n');
    expect(parsed.from?.value).toEqual([
      { address: 'from@example.com', name: '' },
    ]);
    expect(mime.get('To')).toBe('to@example.com');
    expect(mime.get('Cc')).toBe('cc@example.com');
    expect(mime.get('Reply-To')).toBe('reply@example.com');
    expect(mime.get('X-Tag')).toBe('one');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['a.txt']);
    expect(mime.envelope).toEqual({
      from: 'from@example.com',
      to: ['to@example.com', 'cc@example.com', 'bcc@example.com'],
    });
  });

  it('accepts [filename, content, mimetype?] tuples in the attachments option', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', ['t@example.com'], {
      attachments: [
        ['notes.txt', 'hello'],
        ['data.bin', Buffer.from([0, 1]), 'application/x-custom'],
      ],
    });
    expect(msg.attachments.map((a) => a.mimetype)).toEqual([
      'text/plain',
      'application/x-custom',
    ]);
    const { parsed } = await render(msg);
    expect(parsed.attachments.map((a) => a.contentType)).toEqual([
      'text/plain',
      'application/x-custom',
    ]);
  });

  it('reflects every attribute reassigned after construction', async () => {
    const msg = new EmailMessage('Old', 'old body', 'old@example.com', [
      'old-to@example.com',
    ]);
    msg.subject = 'New subject';
    msg.body = 'new body';
    msg.fromEmail = 'new@example.com';
    msg.to = ['new-to@example.com'];
    msg.cc = ['new-cc@example.com'];
    msg.bcc = ['new-bcc@example.com'];
    msg.replyTo = ['new-reply@example.com'];
    msg.extraHeaders = { 'X-New': 'yes' };
    msg.attachments = [
      { filename: 'n.txt', content: 'n', mimetype: 'text/plain' },
    ];
    msg.contentSubtype = 'html';
    msg.encoding = 'iso-8859-1';
    const { parsed, mime } = await render(msg);
    expect(parsed.subject).toBe('New subject');
    expect(parsed.html).toContain('new body');
    expect(mime.get('From')).toBe('new@example.com');
    expect(mime.get('To')).toBe('new-to@example.com');
    expect(mime.get('Cc')).toBe('new-cc@example.com');
    expect(mime.get('Reply-To')).toBe('new-reply@example.com');
    expect(mime.get('X-New')).toBe('yes');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['n.txt']);
    expect(mime.envelope).toEqual({
      from: 'new@example.com',
      to: ['new-to@example.com', 'new-cc@example.com', 'new-bcc@example.com'],
    });
    expect(msg.recipients()).toEqual([
      'new-to@example.com',
      'new-cc@example.com',
      'new-bcc@example.com',
    ]);
  });

  it('reflects in-place changes to the lists between message() calls', () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', ['a@example.com']);
    expect(msg.message().get('To')).toBe('a@example.com');
    msg.to.push('b@example.com');
    expect(msg.message().get('To')).toBe('a@example.com, b@example.com');
  });

  it('copies the lists it is given', () => {
    const to = ['a@example.com'];
    const msg = new EmailMessage('s', 'b', 'f@example.com', to);
    to.push('b@example.com');
    expect(msg.to).toEqual(['a@example.com']);
  });

  it.each(['to', 'cc', 'bcc', 'replyTo'] as const)(
    'refuses a bare string for %s at construction, naming the field',
    (field) => {
      const make = () =>
        field === 'to'
          ? new EmailMessage(
              's',
              'b',
              'f@example.com',
              'a@example.com' as never,
            )
          : new EmailMessage('s', 'b', 'f@example.com', [], {
              [field]: 'a@example.com' as never,
            });
      expect(make).toThrow(TypeError);
      expect(make).toThrow(`"${field}"`);
    },
  );

  it.each(['to', 'cc', 'bcc', 'replyTo'] as const)(
    'refuses a bare string assigned to %s before message(), naming the field',
    (field) => {
      const msg = new EmailMessage('s', 'b', 'f@example.com', [
        't@example.com',
      ]);
      (msg as unknown as Record<string, unknown>)[field] = 'a@example.com';
      expect(() => msg.message()).toThrow(TypeError);
      expect(() => msg.message()).toThrow(`"${field}"`);
    },
  );

  it.each(['to', 'cc', 'bcc', 'replyTo'] as const)(
    'refuses nested arrays in %s',
    (field) => {
      const msg = new EmailMessage('s', 'b', 'f@example.com', []);
      (msg as unknown as Record<string, unknown>)[field] = [['a@example.com']];
      expect(() => msg.message()).toThrow(TypeError);
      expect(() => msg.message()).toThrow(field);
    },
  );

  it('refuses nested arrays given to the constructor at once', () => {
    expect(
      () =>
        new EmailMessage('s', 'b', 'f@example.com', [
          ['a@example.com', 'b@example.com'],
        ] as never),
    ).toThrow(TypeError);
    expect(
      () =>
        new EmailMessage('s', 'b', 'f@example.com', [], {
          bcc: [['a@example.com']] as never,
        }),
    ).toThrow('"bcc"');
  });

  it.each([undefined, null, ''])(
    'uses webmaster@localhost when fromEmail is %p',
    (from) => {
      const msg = new EmailMessage('s', 'b', from as string, ['t@example.com']);
      const mime = msg.message();
      expect(mime.get('From')).toBe('webmaster@localhost');
      expect(mime.envelope.from).toBe('webmaster@localhost');
    },
  );

  it('uses the defaultFromEmail passed to message()', () => {
    const msg = new EmailMessage('s', 'b', '', ['t@example.com']);
    const mime = msg.message({ defaultFromEmail: 'noreply@example.org' });
    expect(mime.get('From')).toBe('noreply@example.org');
    expect(mime.envelope.from).toBe('noreply@example.org');
  });

  it('lets an explicit fromEmail win over defaultFromEmail', () => {
    const msg = new EmailMessage('s', 'b', 'me@example.com', ['t@example.com']);
    expect(
      msg.message({ defaultFromEmail: 'noreply@example.org' }).get('From'),
    ).toBe('me@example.com');
  });

  it('turns a null body into an empty one', () => {
    const msg = new EmailMessage('s', null, 'f@example.com', []);
    expect(msg.body).toBe('');
  });
});

describe('recipients()', () => {
  it('is to + cc + bcc with empties dropped, reply-to excluded, duplicates kept', () => {
    const msg = new EmailMessage(
      's',
      'b',
      'f@example.com',
      ['a@example.com', '', 'dup@example.com'],
      {
        cc: ['', 'cc@example.com', 'dup@example.com'],
        bcc: ['bcc@example.com', ''],
        replyTo: ['reply@example.com'],
      },
    );
    expect(msg.recipients()).toEqual([
      'a@example.com',
      'dup@example.com',
      'cc@example.com',
      'dup@example.com',
      'bcc@example.com',
    ]);
  });

  it('drops null entries and keeps the envelope in the same order', () => {
    const msg = new EmailMessage(
      's',
      'b',
      'f@example.com',
      [null as never, 'a@example.com'],
      {
        bcc: ['b@example.com'],
      },
    );
    expect(msg.recipients()).toEqual(['a@example.com', 'b@example.com']);
    expect(msg.message().envelope.to).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
  });

  it('is empty for a message without recipients', () => {
    expect(new EmailMessage().recipients()).toEqual([]);
  });
});

describe('message()', () => {
  it('returns a MimeMessage with get(), asBytes() and asString()', async () => {
    const msg = new EmailMessage('Hello', 'Body', 'f@example.com', [
      't@example.com',
    ]);
    const mime = msg.message();
    expect(mime).toBeInstanceOf(MimeMessage);
    expect(mime.get('subject')).toBe('Hello');
    expect(mime.get('X-Absent')).toBeUndefined();
    const bytes = await mime.asBytes();
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(await mime.asString()).toBe(bytes.toString('utf8'));
  });

  it('validates synchronously: the error is thrown, not a rejected promise', () => {
    const msg = new EmailMessage('Hi\nthere', 'b', 'f@example.com', [
      't@example.com',
    ]);
    let thrown: unknown;
    try {
      msg.message();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
  });

  it('does not change extraHeaders', () => {
    const headers = { 'X-A': 'a', To: 'shown@example.com' };
    const msg = new EmailMessage('s', 'b', 'f@example.com', ['t@example.com'], {
      headers,
    });
    msg.message();
    msg.message();
    expect(msg.extraHeaders).toEqual({ 'X-A': 'a', To: 'shown@example.com' });
  });

  it('renders with \\n by default and \\r\\n on request, never a bare CR or LF with \\r\\n', async () => {
    const msg = new EmailMessage(
      's',
      'line1\nline2\r\nline3\rline4',
      'f@example.com',
      ['t@example.com'],
    );
    const mime = msg.message();
    const lf = (await mime.asBytes()).toString('latin1');
    expect(lf).not.toContain('\r');
    const crlf = (await mime.asBytes({ linesep: '\r\n' })).toString('latin1');
    expect(crlf.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(crlf).toContain('line1\r\nline2\r\nline3\r\nline4\r\n');
  });
});

describe('send()', () => {
  it('returns 0 without a connection when there are no recipients', async () => {
    await expect(
      new EmailMessage('s', 'b', 'f@example.com', []).send(),
    ).resolves.toBe(0);
    await expect(
      new EmailMessage('s', 'b', 'f@example.com', ['']).send(),
    ).resolves.toBe(0);
  });

  it('throws ImproperlyConfiguredError naming MailService.send when there is no connection', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', ['t@example.com']);
    await expect(msg.send()).rejects.toBeInstanceOf(ImproperlyConfiguredError);
    await expect(msg.send()).rejects.toThrow('MailService.send');
  });

  it('treats bcc-only messages as having recipients', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', [], {
      bcc: ['b@example.com'],
    });
    await expect(msg.send()).rejects.toBeInstanceOf(ImproperlyConfiguredError);
  });
});
