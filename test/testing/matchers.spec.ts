import 'reflect-metadata';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  EmailMessage,
  EmailMultiAlternatives,
  LocmemEmailBackend,
  MailOutbox,
} from '../../lib/index.js';
import {
  assertSentMail,
  assertSentMailCount,
  findSentMail,
  mailMatchers,
  MailRenderError,
  renderMail,
  renderSentMail,
} from '../../lib/testing/index.js';
import { loadMailparser } from '../../lib/utils/load-mailparser.js';

expect.extend(mailMatchers);

let outbox: MailOutbox;
let backend: LocmemEmailBackend;

function welcome(to = 'Ana Díaz <ana@example.com>'): EmailMultiAlternatives {
  const msg = new EmailMultiAlternatives(
    'Welcome, Ana ✓',
    'Hi Ana, your account is ready.',
    'Shop <shop@example.com>',
    [to],
    {
      cc: ['boss@example.com'],
      bcc: ['audit@example.com'],
      replyTo: ['help@example.com'],
      headers: { 'X-Campaign': 'spring ☀' },
    },
  );
  msg.attachAlternative('<p>Hi <b>Ana</b></p>', 'text/html');
  msg.attach('invoice.pdf', Buffer.from('%PDF-1.4 fake'), 'application/pdf');
  msg.attach('notes.txt', 'plain notes\n', 'text/plain');
  return msg;
}

/** An in-memory mailer with this alias, writing to `outbox`. */
function mailer(alias: string): LocmemEmailBackend {
  return new LocmemEmailBackend({}, { alias, messageSettings: {}, outbox });
}

beforeEach(() => {
  outbox = new MailOutbox();
  backend = mailer('default');
});

describe('renderMail', () => {
  it('shows inline images in the HTML (cid: references as data: URLs)', async () => {
    const msg = welcome();
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const logo = msg.attachInline('logo.png', png);
    msg.alternatives = [
      { content: `<p><img src="${logo}"> Hi</p>`, mimetype: 'text/html' },
    ];
    await backend.sendMessages([msg]);
    const mail = await renderMail(outbox.messages[0]);
    expect(mail.html).toBe(
      `<p><img src="data:image/png;base64,${png.toString('base64')}"> Hi</p>\n`,
    );
    // (mailparser lists the related part first)
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      'logo.png',
      'invoice.pdf',
      'notes.txt',
    ]);
  });

  it('exposes the mail as delivered: headers, bodies, attachments, envelope', async () => {
    await backend.sendMessages([welcome()]);
    const mail = await renderMail(outbox.messages[0]);
    expect(mail).toMatchObject({
      using: 'default',
      subject: 'Welcome, Ana ✓',
      from: 'Shop <shop@example.com>',
      to: ['Ana Díaz <ana@example.com>'],
      cc: ['boss@example.com'],
      bcc: ['audit@example.com'],
      replyTo: ['help@example.com'],
      text: 'Hi Ana, your account is ready.\n',
      html: '<p>Hi <b>Ana</b></p>\n',
      envelope: {
        from: 'shop@example.com',
        to: ['ana@example.com', 'boss@example.com', 'audit@example.com'],
      },
    });
    expect(mail.headers['x-campaign']).toBe('spring ☀');
    expect(mail.headers['message-id']).toMatch(/^<.+@.+>$/);
    expect(mail.attachments).toEqual([
      {
        filename: 'invoice.pdf',
        contentType: 'application/pdf',
        content: Buffer.from('%PDF-1.4 fake'),
      },
      {
        filename: 'notes.txt',
        contentType: 'text/plain',
        content: Buffer.from('plain notes\r\n'), // as on the wire
      },
    ]);
    expect(mail.raw.toString()).toMatch(/^Subject: .*\r\nFrom: /);
  });

  it('uses the bytes rendered at send time, not the copy as it is now', async () => {
    await backend.sendMessages([welcome()]);
    outbox.messages[0].subject = 'changed later';
    expect((await renderMail(outbox.messages[0])).subject).toBe(
      'Welcome, Ana ✓',
    );
  });

  it('renders a message recorded by hand with default settings', async () => {
    outbox.record({
      message: new EmailMessage('By hand', 'b', null, ['x@example.com']),
    });
    const [mail] = await renderSentMail(outbox);
    expect(mail.from).toBe('webmaster@localhost');
    expect(mail.using).toBeUndefined();
  });

  it('fails with a readable MailRenderError for a message that cannot be rendered', async () => {
    const broken = new EmailMessage('Broken', 'b', null, ['x@example.com']);
    broken.to = ['victim@example.com\r\nBcc: everyone@example.com'];
    outbox.record({ message: broken });
    const error = await renderMail(broken).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MailRenderError);
    expect((error as Error).message).toMatch(
      /^Mail "Broken" to victim@example.com\r\nBcc: everyone@example.com cannot be rendered: (BadHeaderError|InvalidAddressError): /,
    );
  });

  it('the in-memory backend already refuses to store what cannot be rendered', async () => {
    const msg = new EmailMessage('Attached', 'b', null, ['x@example.com']);
    msg.attach('image.png', Buffer.from('png'), 'image/png');
    msg.attachments[0].content = 42 as never;
    await expect(backend.sendMessages([msg])).rejects.toThrow();
    expect(outbox.messages).toEqual([]);
  });

  it('says how to install mailparser when it is missing', async () => {
    const missing = Object.assign(new Error('nope'), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(
      loadMailparser('renderMail', () => Promise.reject(missing)),
    ).rejects.toThrow(
      'Install mailparser to use renderMail: npm install -D mailparser',
    );
    await expect(
      loadMailparser('renderMail', () => Promise.reject(new Error('other'))),
    ).rejects.toThrow('other');
  });
});

describe('toHaveSentMail', () => {
  beforeEach(async () => {
    await backend.sendMessages([welcome()]);
    backend = mailer('bulk');
    await backend.sendMessages([
      new EmailMessage('Newsletter', 'News of the week', null, [
        'bo@example.com',
      ]),
    ]);
  });

  it('matches strings and regexes on every field', async () => {
    await expect(outbox).toHaveSentMail({
      to: 'ana@example.com',
      cc: ['boss@example.com'],
      bcc: /audit@/,
      from: 'shop@example.com',
      replyTo: 'help@example.com',
      subject: 'Welcome, Ana ✓',
      bodyContains: 'account is ready',
      html: /<b>Ana<\/b>/,
      text: 'Hi Ana',
      attachment: 'invoice.pdf',
      headers: { 'X-Campaign': 'spring ☀' },
      using: 'default',
    });
    await expect(outbox).toHaveSentMail({
      to: 'Ana Díaz <ana@example.com>',
      attachment: {
        filename: /\.txt$/,
        contentType: 'text/plain',
        content: 'plain notes\n',
      },
    });
    await expect(outbox).toHaveSentMail({
      subject: /newsletter/i,
      using: 'bulk',
    });
    await expect(outbox).toHaveSentMail();
    await expect(outbox).not.toHaveSentMail({ to: 'nobody@example.com' });
    await expect(outbox).not.toHaveSentMail({ subject: 'Welcome' }); // strings are exact
    await expect(outbox).not.toHaveSentMail({
      attachment: { filename: 'invoice.pdf', content: Buffer.from('other') },
    });
  });

  it('accepts the messages of a capture', async () => {
    const sent = await outbox.capture(() =>
      backend.sendMessages([
        new EmailMessage('Captured', 'c', null, ['c@example.com']),
      ]),
    );
    await expect(sent).toHaveSentMail({ subject: 'Captured', using: 'bulk' });
    await expect(sent).not.toHaveSentMail({ subject: 'Newsletter' });
    expect(sent).toHaveSentMailCount(1);
  });

  it('shows the mail that was sent, diff-style, when nothing matches', async () => {
    const error = await expect(outbox)
      .toHaveSentMail({ to: 'ana@example.com', subject: 'Welcome!' })
      .catch((err: Error) => err);
    const message = stripAnsi((error as Error).message);
    expect(message).toContain('toHaveSentMail');
    expect(message).toContain(
      [
        'Expected a sent mail with:',
        '  to: "ana@example.com"',
        '  subject: "Welcome!"',
        '',
        'but none of the 2 sent mails matches (- expected, + sent):',
        '',
        `#1 "Welcome, Ana ✓" from Shop <shop@example.com> to Ana Díaz <ana@example.com> using 'default'`,
        '    to: ["Ana Díaz <ana@example.com>"]',
        '  - subject: "Welcome!"',
        '  + subject: "Welcome, Ana ✓"',
        '',
        `#2 "Newsletter" from webmaster@localhost to bo@example.com using 'bulk'`,
        '  - to: "ana@example.com"',
        '  + to: ["bo@example.com"]',
        '  - subject: "Welcome!"',
        '  + subject: "Newsletter"',
      ].join('\n'),
    );
  });

  it('names the matching mail when .not fails', async () => {
    const error = await expect(outbox)
      .not.toHaveSentMail({ using: 'bulk' })
      .catch((err: Error) => err);
    expect(stripAnsi((error as Error).message)).toContain(
      `but #2 matches: "Newsletter" from webmaster@localhost to bo@example.com using 'bulk'`,
    );
  });

  it('fails with the render error for a broken message, with or without .not', async () => {
    const broken = new EmailMessage('Broken', 'b', null, ['x@example.com']);
    broken.subject = 'Injected\nBcc: everyone@example.com';
    outbox.record({ message: broken });
    for (const assertion of [
      expect(outbox).toHaveSentMail({ subject: 'Newsletter' }),
      expect(outbox).not.toHaveSentMail({ subject: 'Nope' }),
    ]) {
      await expect(assertion).rejects.toThrow(
        /^Mail "Injected\\nBcc: everyone@example.com" to x@example.com cannot be rendered: BadHeaderError: /,
      );
    }
  });

  it('rejects what is not an outbox', async () => {
    await expect(expect('outbox').toHaveSentMail()).rejects.toThrow(
      'Expected a MailOutbox or an array of sent messages',
    );
  });
});

describe('toHaveSentMailCount', () => {
  it('counts without rendering and lists the mail on failure', async () => {
    expect(outbox).toHaveSentMailCount(0);
    await backend.sendMessages([welcome('ana@example.com')]);
    expect(outbox).toHaveSentMailCount(1);
    expect(() => expect(outbox).toHaveSentMailCount(2)).toThrow(
      `Expected 2 sent mails, but 1 was sent:\n  #1 "Welcome, Ana ✓" to ana@example.com using 'default'`,
    );
  });
});

describe('plain functions, for any test runner', () => {
  it('findSentMail, assertSentMail and assertSentMailCount', async () => {
    await backend.sendMessages([welcome()]);
    expect(await findSentMail(outbox, { to: 'bo@example.com' })).toEqual([]);
    const [found] = await findSentMail(outbox, { attachment: 'notes.txt' });
    expect(found.subject).toBe('Welcome, Ana ✓');
    const mail = await assertSentMail(outbox, { cc: 'boss@example.com' });
    expect(mail.attachments[0].filename).toBe('invoice.pdf');
    await expect(assertSentMail(outbox, { subject: 'x' })).rejects.toThrow(
      '  - subject: "x"\n  + subject: "Welcome, Ana ✓"',
    );
    await expect(assertSentMail(new MailOutbox(), {})).rejects.toThrow(
      'but no mail was sent.',
    );
    assertSentMailCount(outbox, 1);
    expect(() => assertSentMailCount(outbox.messages, 0)).toThrow(
      'Expected 0 sent mails, but 1 was sent:',
    );
  });
});

function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
