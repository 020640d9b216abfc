import 'reflect-metadata';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  EmailMessage,
  ImproperlyConfiguredError,
  MailModule,
  MailOutbox,
  MailService,
  type MailModuleOptions,
} from '../../lib/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const REDIRECT = {
  to: ['QA <qa@staff.example>'],
  allow: ['@staff.example', /^vip@customer\.test$/i],
};
const RECIPIENTS = [
  'ann@customer.test',
  'VIP@customer.test',
  'bob@staff.example',
];

let sink: SmtpSink;
let apps: INestApplicationContext[] = [];
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});
beforeEach(() => {
  sink.messages.length = 0;
});
afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()));
  apps = [];
});

async function boot(options: Partial<MailModuleOptions> = {}) {
  const app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        options: { host: sink.host, port: sink.port },
        mailers: {
          bulk: { options: { host: sink.host, port: sink.port } },
          memory: { backend: 'locmem' },
        },
        admins: ['ops@customer.test'],
        redirect: REDIRECT,
        ...options,
      } as MailModuleOptions),
    ],
  }).compile();
  apps.push(app);
  await app.init();
  return app;
}

describe('recipient redirect in the module', () => {
  it('sends the SMTP envelope only to the redirect and allowed addresses', async () => {
    const app = await boot();
    const mail = app.get(MailService);
    await mail.sendMail('Hi', 'Body', 'from@example.com', RECIPIENTS);
    expect(sink.messages).toHaveLength(1);
    const [{ envelope, parsed }] = sink.messages;
    expect(envelope.rcptTo).toEqual([
      'VIP@customer.test',
      'bob@staff.example',
      'qa@staff.example',
    ]);
    expect(parsed.headers.get('x-original-to')).toBe(RECIPIENTS.join(', '));
    expect(parsed.to).toMatchObject({
      value: [
        { address: 'VIP@customer.test' },
        { address: 'bob@staff.example' },
        { address: 'qa@staff.example', name: 'QA' },
      ],
    });
  });

  it('applies to named mailers, fresh connections, mailAdmins and the in-memory outbox', async () => {
    const app = await boot();
    const mail = app.get(MailService);
    await mail.sendMail('Bulk', 'b', 'f@example.com', ['ann@customer.test'], {
      using: 'bulk',
    });
    await mail.mailAdmins('Alert', 'b');
    const connection = mail.getConnection();
    await connection.sendMessages([
      new EmailMessage('Conn', 'b', 'f@example.com', ['ann@customer.test']),
    ]);
    expect(sink.messages.map((m) => m.envelope.rcptTo)).toEqual([
      ['qa@staff.example'],
      ['qa@staff.example'],
      ['qa@staff.example'],
    ]);
    expect(
      sink.messages.map((m) => m.parsed.headers.get('x-original-to')),
    ).toEqual(['ann@customer.test', 'ops@customer.test', 'ann@customer.test']);

    await mail.sendMail('Memory', 'b', 'f@example.com', RECIPIENTS, {
      using: 'memory',
    });
    const [stored] = app.get(MailOutbox).messages;
    expect(stored.to).toEqual(RECIPIENTS);
    expect(MailOutbox.entryOf(stored)?.envelope?.to).toEqual([
      'VIP@customer.test',
      'bob@staff.example',
      'qa@staff.example',
    ]);
  });

  it('is read from forRootAsync options', async () => {
    const app = await Test.createTestingModule({
      imports: [
        MailModule.forRootAsync({
          useFactory: () => ({
            options: { host: sink.host, port: sink.port },
            redirect: { to: ['qa@staff.example'] },
          }),
        }),
      ],
    }).compile();
    apps.push(app);
    await app.init();
    await app
      .get(MailService)
      .sendMail('Hi', 'b', 'f@example.com', ['bob@staff.example']);
    expect(sink.messages[0].envelope.rcptTo).toEqual(['qa@staff.example']);
  });

  it('sends to the real recipients without the option', async () => {
    const app = await boot({ redirect: undefined });
    await app.get(MailService).sendMail('Hi', 'b', 'f@example.com', RECIPIENTS);
    expect(sink.messages[0].envelope.rcptTo).toEqual(RECIPIENTS);
    expect(sink.messages[0].parsed.headers.has('x-original-to')).toBe(false);
  });

  it.each([
    ['an invalid redirect address', { to: ['qa@'] }, /Invalid address "qa@"/],
    ['an empty redirect list', { to: [] }, /redirect\.to must be a non-empty/],
    [
      'an invalid allow-list domain',
      { to: ['qa@staff.example'], allow: ['@bad domain'] },
      /Invalid address "@bad domain": not a valid '@domain' allow-list entry/,
    ],
  ])('fails at startup on %s', async (_case, redirect, message) => {
    const compile = () =>
      Test.createTestingModule({
        imports: [
          MailModule.forRoot({
            backend: 'dummy',
            redirect: redirect as MailModuleOptions['redirect'],
          }),
        ],
      }).compile();
    await expect(compile()).rejects.toBeInstanceOf(ImproperlyConfiguredError);
    await expect(compile()).rejects.toThrow(
      new RegExp(`Invalid MailModule option redirect: .*${message.source}`),
    );
  });
});
