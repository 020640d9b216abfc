import 'reflect-metadata';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import {
  BadHeaderError,
  BaseEmailBackend,
  EmailMessage,
  MailService,
  SendError,
  failover,
  type MailModuleOptions,
  type MassMailItem,
} from '../../lib/index.js';
import {
  startFaultSink,
  type AfterData,
  type FaultSink,
} from '../support/fault-sink.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { bootFailoverApp } from './app.module.js';
import type { CaptureLogger } from './capture-logger.js';

/**
 * `main` = failover(['primary', 'backup']) through MailModule and MailService:
 * `primary` is a scriptable SMTP server on 127.0.0.1 that refuses, defers or
 * drops; `backup` a real smtp-server that takes everything.
 */

const FROM = 'from@example.com';
const item = (subject: string, to = 'to@example.com'): MassMailItem => [
  subject,
  `Body of ${subject}`,
  FROM,
  [to],
];
const subjectOf = (data: Buffer) => /Subject: (\S+)/.exec(data.toString())![1];
const BIG_BODY = ('x'.repeat(70) + '\n').repeat(60_000); // ~4 MB
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let primary: FaultSink;
let backup: SmtpSink;
/** What primary does after each final `.`; changed by the tests. */
let afterData: (subject: string) => AfterData;
let app: TestingModule | undefined;
let logger: CaptureLogger;

beforeEach(async () => {
  afterData = () => 'accept';
  primary = await startFaultSink({
    afterData: (tx) => afterData(subjectOf(tx.data)),
  });
  backup = await startSmtpSink();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await Promise.all([primary.close(), backup.close()]);
});

async function boot(
  extra: Partial<MailModuleOptions> = {},
  primaryPort = primary.port,
  cooldown = 30_000,
): Promise<MailService> {
  ({ app, logger } = await bootFailoverApp({
    backend: 'dummy',
    mailers: {
      primary: {
        options: { host: '127.0.0.1', port: primaryPort, timeout: 5 },
      },
      backup: { options: { host: backup.host, port: backup.port, timeout: 5 } },
      main: failover(['primary', 'backup'], { cooldown }),
    },
    ...extra,
  } as MailModuleOptions));
  return app.get(MailService);
}

const storedOnPrimary = () => primary.stored.map((tx) => subjectOf(tx.data));
const storedOnBackup = () => backup.messages.map((m) => m.parsed.subject);
const failoverLog = (level?: 'log' | 'warn' | 'error' | 'debug') =>
  logger.of('MailFailover', level).map((line) => line.message);

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('failover between two SMTP servers', () => {
  it('sends through the first mailer while it works; the second sees nothing', async () => {
    const mail = await boot();
    expect(
      await mail.sendMassMail([item('one'), item('two')], { using: 'main' }),
    ).toBe(2);
    expect(storedOnPrimary()).toEqual(['one', 'two']);
    expect(backup.connectionCount).toBe(0);
    expect(failoverLog('debug')).toEqual([
      "Failover 'main': mailer 'primary' sent 2 of 2",
    ]);
  });

  it('a 5xx refusal is not failed over: the error is reported, nothing reaches the backup', async () => {
    afterData = () => '554 5.7.1 Rejected as spam';
    const mail = await boot();
    const err = await sendError(
      mail.sendMail('spam', 'Body', FROM, ['to@example.com'], {
        using: 'main',
      }),
    );
    expect(err.sent).toBe(0);
    expect(err.responseCode).toBe(554);
    expect(err.outcomes[0]).toMatchObject({
      status: 'failed',
      classification: 'permanent',
    });
    expect(primary.transactions).toHaveLength(1);
    expect(storedOnPrimary()).toEqual([]);
    expect(backup.connectionCount).toBe(0);
    const [line] = failoverLog('warn');
    expect(line).toContain("mailer 'primary' sent 0 of 1");
    expect(line).toContain('1 refused permanently');
    expect(line).toContain('554 5.7.1 Rejected as spam');
    expect(line).not.toContain('backup');
  });

  it('a 4xx deferral moves the message to the backup, with a log line naming both and the reason', async () => {
    afterData = () => '451 4.3.0 Try again later';
    const mail = await boot();
    expect(
      await mail.sendMassMail([item('one'), item('two')], { using: 'main' }),
    ).toBe(2);
    expect(storedOnPrimary()).toEqual([]);
    expect(storedOnBackup()).toEqual(['one', 'two']);
    const [warn] = failoverLog('warn');
    expect(warn).toContain("Failover 'main': mailer 'primary' sent 0 of 2");
    expect(warn).toContain('2 failed transiently');
    expect(warn).toContain('451 4.3.0 Try again later');
    expect(warn).toContain("trying mailer 'backup' next");
    expect(warn).toContain("skipping 'primary' for 30000 ms");
    expect(failoverLog('log')).toEqual([
      "Failover 'main': mailer 'backup' sent 2 of 2 (after failover)",
    ]);
  });

  it('moves on only the messages that failed transiently; nothing is stored twice', async () => {
    afterData = (subject) =>
      subject === 'deferred' ? '452 4.3.1 Insufficient storage' : 'accept';
    const mail = await boot();
    const { sent, outcomes } = await mail.sendMassMailDetailed(
      [item('first'), item('deferred'), item('last')],
      { using: 'main' },
    );
    expect(sent).toBe(3);
    expect(outcomes.map((o) => [o.index, o.status])).toEqual([
      [0, 'sent'],
      [1, 'sent'],
      [2, 'sent'],
    ]);
    expect(storedOnPrimary()).toEqual(['first', 'last']);
    expect(storedOnBackup()).toEqual(['deferred']);
    expect(failoverLog('warn')[0]).toContain(
      "mailer 'primary' sent 2 of 3; 1 failed transiently: Message failed: 452 4.3.1",
    );
  });

  it('a connection dropped before the final "." moves the message to the backup', async () => {
    primary.script = {
      ...primary.script,
      onData: () => 'drop-before-dot',
    };
    const mail = await boot();
    expect(
      // Big enough to outlast the socket buffers: the final "." is never written.
      await mail.sendMail('dropped', BIG_BODY, FROM, ['to@example.com'], {
        using: 'main',
      }),
    ).toBe(1);
    expect(primary.transactions).toHaveLength(0);
    expect(storedOnBackup()).toEqual(['dropped']);
    expect(failoverLog('warn')[0]).toMatch(
      /mailer 'primary' sent 0 of 1; 1 failed transiently: .+; trying mailer 'backup' next/,
    );
  });

  it('a connection dropped after the final "." is ambiguous: reported, never resent on the backup', async () => {
    afterData = () => 'drop';
    const mail = await boot();
    const err = await sendError(
      mail.sendMassMail([item('maybe')], { using: 'main' }),
    );
    expect(err.outcomes[0]).toMatchObject({
      status: 'unknown',
      classification: 'ambiguous',
    });
    expect(err.message).toContain('may have been delivered');
    expect(storedOnPrimary()).toEqual(['maybe']);
    expect(backup.connectionCount).toBe(0);
    const [line] = failoverLog('warn');
    expect(line).toContain(
      "mailer 'primary' sent 0 of 1; 1 may have been delivered (ambiguous: not resent)",
    );
    expect(line).not.toContain('trying');
  });

  it('a server that is down (port closed) is failed over', async () => {
    const closedPort = await freePort();
    const mail = await boot({}, closedPort);
    expect(
      await mail.sendMassMail([item('one'), item('two')], { using: 'main' }),
    ).toBe(2);
    expect(storedOnBackup()).toEqual(['one', 'two']);
    expect(failoverLog('warn')[0]).toMatch(
      /mailer 'primary' sent 0 of 2; 2 failed transiently: .*ECONNREFUSED/,
    );
  });

  it('reports the last failure when every mailer fails transiently', async () => {
    afterData = () => '451 4.3.0 Try again later';
    await backup.close();
    const mail = await boot();
    const err = await sendError(
      mail.sendMassMail([item('one')], { using: 'main' }),
    );
    expect(err.outcomes[0]).toMatchObject({
      classification: 'transient',
      status: 'not-attempted',
    });
    expect(failoverLog('warn')).toHaveLength(2);
    expect(failoverLog('error')[0]).toMatch(
      /Failover 'main': 1 message\(s\) failed on every mailer tried \(primary, backup\); last reason: .*ECONNREFUSED/,
    );
  });

  it('skips a failed mailer for the cool-down, then tries it again', async () => {
    afterData = () => '451 4.3.0 Try again later';
    const mail = await boot({}, primary.port, 300);
    const send = (subject: string) =>
      mail.sendMassMail([item(subject)], { using: 'main' });

    expect(await send('one')).toBe(1);
    expect(primary.mailFromCount).toBe(1);

    expect(await send('two')).toBe(1);
    expect(primary.mailFromCount).toBe(1); // skipped: not even a MAIL FROM
    expect(failoverLog('debug')).toContainEqual(
      expect.stringMatching(
        /skipping mailer 'primary' for \d+ ms more \(it failed: Message failed: 451 4\.3\.0 Try again later\)/,
      ),
    );

    afterData = () => 'accept';
    await sleep(350);
    expect(await send('three')).toBe(1);
    expect(primary.mailFromCount).toBe(2);
    expect(storedOnPrimary()).toEqual(['three']);
    expect(storedOnBackup()).toEqual(['one', 'two']);
  });

  it('tries every mailer anyway when all of them are cooling down', async () => {
    afterData = () => '451 4.3.0 Try again later';
    const mail = await boot({
      mailers: {
        primary: { options: { host: '127.0.0.1', port: primary.port } },
        main: failover(['primary'], { cooldown: 60_000 }),
      },
    });
    await sendError(mail.sendMassMail([item('one')], { using: 'main' }));
    afterData = () => 'accept';
    expect(await mail.sendMassMail([item('two')], { using: 'main' })).toBe(1);
    expect(storedOnPrimary()).toEqual(['two']);
    expect(failoverLog('warn')).toContain(
      "Failover 'main': every mailer is cooling down after a failure; trying them all anyway",
    );
  });

  it('can be the default mailer', async () => {
    afterData = () => '421 4.7.0 Too busy, closing';
    const mail = await boot({
      ...failover(['primary', 'backup']),
    });
    expect(await mail.sendMail('hi', 'Body', FROM, ['to@example.com'])).toBe(1);
    expect(storedOnBackup()).toEqual(['hi']);
    expect(failoverLog('warn')[0]).toContain("Failover 'default'");
  });

  it('rethrows a bad header at once and sends nothing anywhere', async () => {
    const mail = await boot();
    const bad = new EmailMessage('ok', 'Body', FROM, ['to@example.com'], {
      headers: { 'X-Evil': 'a\r\nBcc: victim@example.com' },
    });
    await expect(
      mail.send(
        [new EmailMessage('fine', 'Body', FROM, ['a@example.com']), bad],
        {
          using: 'main',
        },
      ),
    ).rejects.toBeInstanceOf(BadHeaderError);
    expect(primary.connectionCount).toBe(0);
    expect(backup.connectionCount).toBe(0);
  });

  it('fails over from a backend without detailed results that throws', async () => {
    class ApiBackend extends BaseEmailBackend {
      calls = 0;
      async sendMessages(): Promise<number> {
        this.calls++;
        throw new Error('HTTP 503 from the mail API');
      }
    }
    const mail = await boot({
      mailers: {
        api: { backend: ApiBackend },
        backup: { options: { host: backup.host, port: backup.port } },
        main: failover(['api', 'backup']),
      },
    });
    expect(
      await mail.sendMassMail([item('one'), item('two')], { using: 'main' }),
    ).toBe(2);
    expect(storedOnBackup()).toEqual(['one', 'two']);
    expect(failoverLog('warn')[0]).toContain(
      "mailer 'api' sent 0 of 2; 2 failed transiently: HTTP 503 from the mail API",
    );
  });

  it('leaves closing to the module: app.close() closes each member connection once', async () => {
    afterData = () => '451 4.3.0 Try again later';
    const mail = await boot();
    await mail.sendMassMail([item('one')], { using: 'main' });
    await app!.close();
    app = undefined;
    await sleep(50);
    expect(backup.connectionCount).toBe(1);
    expect(backup.closeCount).toBe(1);
    expect(primary.commands.filter((c) => c === 'QUIT')).toHaveLength(1);
  });
});

/** A port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
