import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import {
  EmailMessage,
  FailoverEmailBackend,
  ImproperlyConfiguredError,
  MailOutbox,
  MailService,
  RoundRobinEmailBackend,
  failover,
  roundRobin,
  type MailModuleOptions,
} from '../../lib/index.js';
import { failoverApp } from './app.module.js';

async function compile(mail: MailModuleOptions) {
  return Test.createTestingModule({ imports: [failoverApp(mail)] }).compile();
}

async function startupError(mail: MailModuleOptions): Promise<Error> {
  const err = await compile(mail).then(
    (app) => app.close().then(() => undefined),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImproperlyConfiguredError);
  return err as Error;
}

describe('failover() and roundRobin() configuration', () => {
  it('returns a mailer configuration', () => {
    expect(failover(['a', 'b'], { cooldown: 5 })).toEqual({
      backend: FailoverEmailBackend,
      options: { mailers: ['a', 'b'], cooldown: 5 },
    });
    expect(roundRobin(['a'])).toEqual({
      backend: RoundRobinEmailBackend,
      options: { mailers: ['a'] },
    });
  });

  it('refuses, at startup, an alias that is not configured', async () => {
    const err = await startupError({
      backend: 'locmem',
      mailers: { main: failover(['default', 'nope']) },
    });
    expect(err.message).toContain("Mailer 'main' (FailoverEmailBackend)");
    expect(err.message).toContain("The mailer 'nope' is not configured");
  });

  it('refuses a mailer that lists itself', async () => {
    const err = await startupError({
      backend: 'locmem',
      mailers: { main: failover(['default', 'main']) },
    });
    expect(err.message).toContain(
      "Mailer 'main' (FailoverEmailBackend) lists itself",
    );
  });

  it('refuses a default mailer that lists itself', async () => {
    const err = await startupError({
      ...roundRobin(['default']),
      mailers: {},
    } as MailModuleOptions);
    expect(err.message).toContain(
      "Mailer 'default' (RoundRobinEmailBackend) lists itself",
    );
  });

  it('refuses a cycle through another composite mailer', async () => {
    const err = await startupError({
      backend: 'locmem',
      mailers: {
        one: failover(['default', 'two']),
        two: roundRobin(['default', 'one']),
      },
    });
    expect(err.message).toMatch(
      /sends through itself: '(one|two)' -> '(two|one)' -> '\1'/,
    );
  });

  it('refuses empty or repeated mailers and a negative cooldown', async () => {
    await startupError({ backend: 'locmem', mailers: { main: failover([]) } });
    await startupError({
      backend: 'locmem',
      mailers: { main: failover(['default', 'default']) },
    });
    await startupError({
      backend: 'locmem',
      mailers: { main: failover(['default'], { cooldown: -1 }) },
    });
  });

  it('nests: a failover over a round-robin and a backend that records', async () => {
    const app = await compile({
      backend: 'dummy',
      mailers: {
        outbox: { backend: 'locmem' },
        spread: roundRobin(['outbox']),
        main: failover(['spread', 'default']),
      },
    });
    const mail = app.get(MailService);
    expect(
      await mail.sendMail('Hi', 'Body', null, ['to@example.com'], {
        using: 'main',
      }),
    ).toBe(1);
    const { outcomes } = await mail.sendDetailed(
      [new EmailMessage('No recipients', 'Body')],
      { using: 'main' },
    );
    expect(outcomes[0].status).toBe('skipped');
    expect(app.get(MailOutbox).messages.map((m) => m.subject)).toEqual(['Hi']);
    await app.close();
  });

  it('says what to do when used outside the module', async () => {
    const backend = new FailoverEmailBackend({ mailers: ['a'] });
    await expect(
      backend.sendMessages([
        new EmailMessage('s', 'b', null, ['to@example.com']),
      ]),
    ).rejects.toThrow(/works only as a mailer created by MailModule/);
  });
});
