import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  BadHeaderError,
  BaseEmailBackend,
  ConsoleEmailBackend,
  DummyEmailBackend,
  EmailMessage,
  LocmemEmailBackend,
  MailModule,
  MailOutbox,
  MailService,
  SmtpEmailBackend,
  type MailModuleOptions,
} from '../../lib/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

let sink: SmtpSink;
let app: TestingModule | undefined;

beforeEach(async () => {
  sink = await startSmtpSink({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alice' && auth.password === 's3cret')
        return callback(null, { user: 'alice' });
      return callback(
        Object.assign(new Error('Invalid credentials'), { responseCode: 535 }),
      );
    },
  });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await sink.close();
});

async function boot(
  options: Partial<MailModuleOptions> = {},
): Promise<MailService> {
  app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        backend: 'smtp',
        options: { host: sink.host, port: sink.port },
        defaultFromEmail: 'app@example.com',
        admins: ['Admin <admin@example.com>'],
        managers: ['manager@example.com'],
        ...options,
      } as MailModuleOptions),
    ],
  }).compile();
  await app.init();
  return app.get(MailService);
}

describe('MailService over SMTP', () => {
  it('sendMail delivers one message with all recipients in To, and returns 1', async () => {
    const mail = await boot();
    const count = await mail.sendMail(
      'Subject here',
      'Here is the message.',
      'from@example.com',
      ['to@example.com', 'Other <other@example.com>'],
    );
    expect(count).toBe(1);
    const [msg] = sink.messages;
    expect(msg.envelope).toEqual({
      mailFrom: 'from@example.com',
      rcptTo: ['to@example.com', 'other@example.com'],
    });
    expect(msg.parsed.subject).toBe('Subject here');
    expect(msg.parsed.text).toBe('Here is the message.\n');
    expect(msg.parsed.to).toMatchObject({
      value: [
        { address: 'to@example.com' },
        { address: 'other@example.com', name: 'Other' },
      ],
    });
  });

  it('sendMail with no recipients returns 0 and never connects', async () => {
    const mail = await boot();
    expect(await mail.sendMail('x', 'x', null, [])).toBe(0);
    expect(sink.connectionCount).toBe(0);
  });

  it('sendMail uses defaultFromEmail when fromEmail is empty, and htmlMessage as an alternative', async () => {
    const mail = await boot();
    await mail.sendMail('Hi', 'Text', null, ['to@example.com'], {
      htmlMessage: '<p>HTML</p>',
    });
    const [msg] = sink.messages;
    expect(msg.envelope.mailFrom).toBe('app@example.com');
    expect(msg.parsed.text).toBe('Text\n');
    expect(msg.parsed.html).toBe('<p>HTML</p>\n');
    expect(msg.raw.toString()).toMatch(/Content-Type: multipart\/alternative/);
  });

  it('reuses one connection (maxConnections: 1) across calls and under concurrent requests, and app.close() closes it', async () => {
    const mail = await boot({
      options: { host: sink.host, port: sink.port, maxConnections: 1 },
    });
    await mail.sendMail('first', 'x', null, ['a@example.com']);
    await mail.sendMail('second', 'x', null, ['b@example.com']);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        mail.sendMail(`concurrent ${i}`, 'x', null, [`c${i}@example.com`]),
      ),
    );
    expect(sink.messages).toHaveLength(12);
    expect(sink.connectionCount).toBe(1);
    expect(new Set(sink.messages.map((m) => m.parsed.subject)).size).toBe(12);
    expect(sink.closeCount).toBe(0);
    await app!.close();
    app = undefined;
    await waitUntil(() => sink.closeCount === 1);
    expect(sink.closeCount).toBe(1);
  });

  it('sendMassMail sends every message over one connection and returns the count', async () => {
    const mail = await boot({
      options: { host: sink.host, port: sink.port, maxConnections: 1 },
    });
    const count = await mail.sendMassMail([
      [
        'Subject',
        'Message.',
        'from@example.com',
        ['first@example.com', 'other@example.com'],
      ],
      ['Subject', 'Message.', null, ['second@test.com']],
    ]);
    expect(count).toBe(2);
    expect(sink.connectionCount).toBe(1);
    expect(sink.messages.map((m) => m.envelope)).toEqual([
      {
        mailFrom: 'from@example.com',
        rcptTo: ['first@example.com', 'other@example.com'],
      },
      { mailFrom: 'app@example.com', rcptTo: ['second@test.com'] },
    ]);
  });

  it('mailAdmins and mailManagers: prefix, serverEmail, HTML alternative; nothing when the list is empty', async () => {
    const mail = await boot({
      serverEmail: 'server@example.com',
      subjectPrefix: '[Site] ',
    });
    await mail.mailAdmins('Broken', 'Stack trace', {
      htmlMessage: '<pre>Stack trace</pre>',
    });
    await mail.mailManagers('Report', 'Numbers');
    expect(
      sink.messages.map((m) => [
        m.parsed.subject,
        m.envelope.mailFrom,
        m.envelope.rcptTo,
      ]),
    ).toEqual([
      ['[Site] Broken', 'server@example.com', ['admin@example.com']],
      ['[Site] Report', 'server@example.com', ['manager@example.com']],
    ]);
    expect(sink.messages[0].parsed.html).toBe('<pre>Stack trace</pre>\n');

    const quiet = await boot({ admins: [], managers: [] });
    await expect(quiet.mailAdmins('x', 'x')).resolves.toBeUndefined();
    expect(sink.messages).toHaveLength(2);
  });

  it('authUser/authPassword log in on a dedicated connection', async () => {
    const mail = await boot();
    expect(
      await mail.sendMail('auth', 'x', null, ['a@example.com'], {
        authUser: 'alice',
        authPassword: 's3cret',
      }),
    ).toBe(1);
    await expect(
      mail.sendMail('bad', 'x', null, ['a@example.com'], {
        authUser: 'alice',
        authPassword: 'wrong',
      }),
    ).rejects.toThrow(/535|Invalid credentials/);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual(['auth']);
  });

  it('failSilently swallows a refused connection and returns 0', async () => {
    const mail = await boot({ options: { host: '127.0.0.1', port: 1 } });
    expect(
      await mail.sendMail('x', 'x', null, ['a@example.com'], {
        failSilently: true,
      }),
    ).toBe(0);
    await expect(
      mail.sendMail('x', 'x', null, ['a@example.com']),
    ).rejects.toThrow();
  });

  it('raises BadHeaderError and sends nothing for a header injection', async () => {
    const mail = await boot();
    await expect(
      mail.sendMail('Hi\r\nBcc: evil@attacker.test', 'x', null, [
        'a@example.com',
      ]),
    ).rejects.toThrow(BadHeaderError);
    await expect(
      mail.sendMail('Hi', 'x', null, [
        'victim@example.com\r\nBcc: evil@attacker.test',
      ]),
    ).rejects.toThrow(BadHeaderError);
    expect(sink.messages).toHaveLength(0);
  });

  it("refuses Django 6.1's conflicting arguments with TypeError", async () => {
    const mail = await boot();
    const connection = mail.getConnection();
    const to = ['a@example.com'];
    await expect(
      mail.sendMail('x', 'x', null, to, { using: 'default', connection }),
    ).rejects.toThrow("'connection' is not compatible with 'using'.");
    await expect(
      mail.sendMail('x', 'x', null, to, {
        using: 'default',
        failSilently: true,
      }),
    ).rejects.toThrow("'failSilently' is not compatible with 'using'.");
    await expect(
      mail.sendMail('x', 'x', null, to, { using: 'default', authUser: 'u' }),
    ).rejects.toThrow(TypeError);
    await expect(
      mail.sendMail('x', 'x', null, to, { connection, failSilently: true }),
    ).rejects.toThrow('failSilently cannot be used with a connection');
    await expect(
      mail.sendMail('x', 'x', null, to, { connection, authPassword: 'p' }),
    ).rejects.toThrow(
      'authUser and authPassword cannot be used with a connection',
    );
    await expect(
      mail.mailAdmins('x', 'x', { connection, failSilently: true }),
    ).rejects.toThrow(TypeError);
    expect(sink.connectionCount).toBe(0);
  });

  it('getConnection returns a new connection each time, merging options over the default mailer', async () => {
    const mail = await boot();
    const a = mail.getConnection();
    const b = mail.getConnection(undefined, { failSilently: true });
    expect(a).toBeInstanceOf(SmtpEmailBackend);
    expect(a).not.toBe(b);
    expect(a).not.toBe(app!.get(BaseEmailBackend));
    expect(b).toMatchObject({
      host: sink.host,
      port: sink.port,
      failSilently: true,
    });
    expect(mail.getConnection('dummy')).toBeInstanceOf(DummyEmailBackend);
    expect(mail.getConnection(ConsoleEmailBackend)).toBeInstanceOf(
      ConsoleEmailBackend,
    );

    await using conn = mail.getConnection();
    await conn.open();
    await mail.sendMail('via connection', 'x', null, ['a@example.com'], {
      connection: conn,
    });
    await mail.sendMassMail([['mass', 'x', null, ['b@example.com']]], {
      connection: conn,
    });
    expect(sink.connectionCount).toBe(1);
  });

  it('send() delivers built messages; EmailMessage.send() works afterwards without passing a connection', async () => {
    const mail = await boot({
      options: { host: sink.host, port: sink.port, maxConnections: 1 },
    });
    const msg = new EmailMessage('Built', 'Body', null, ['to@example.com'], {
      bcc: ['hidden@example.com'],
    });
    expect(await mail.send(msg)).toBe(1);
    expect(
      await mail.send([
        new EmailMessage('A', 'x', null, ['a@example.com']),
        new EmailMessage('B', 'x', null, ['b@example.com']),
      ]),
    ).toBe(2);
    msg.subject = 'Resent';
    expect(await msg.send()).toBe(1);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([
      'Built',
      'A',
      'B',
      'Resent',
    ]);
    expect(sink.messages[0].envelope.rcptTo).toEqual([
      'to@example.com',
      'hidden@example.com',
    ]);
    expect(sink.messages[0].raw.toString()).not.toMatch(/hidden@example\.com/);
    expect(sink.messages[3].parsed.messageId).toBe(
      sink.messages[0].parsed.messageId,
    );
    expect(sink.connectionCount).toBe(1);
  });

  it('send({ using }) picks a named mailer; locmem named mailers record the alias', async () => {
    const mail = await boot({ mailers: { audit: { backend: 'locmem' } } });
    await mail.send(new EmailMessage('Audit', 'x', null, ['a@example.com']), {
      using: 'audit',
    });
    expect(sink.messages).toHaveLength(0);
    const outbox = app!.get(MailOutbox);
    expect(
      outbox.messages.map((m) => [m.subject, m.sentUsing, m.fromEmail]),
    ).toEqual([['Audit', 'audit', 'app@example.com']]);
  });
});

describe('MailService with the in-memory backend swapped in', () => {
  it('useClass(LocmemEmailBackend) keeps SMTP untouched', async () => {
    app = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({ options: { host: sink.host, port: sink.port } }),
      ],
    })
      .overrideProvider(BaseEmailBackend)
      .useClass(LocmemEmailBackend)
      .compile();
    await app.init();
    await app.get(MailService).sendMail('x', 'x', null, ['a@example.com']);
    expect(app.get(MailOutbox).messages).toHaveLength(1);
    expect(sink.connectionCount).toBe(0);
  });
});

async function waitUntil(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
}
