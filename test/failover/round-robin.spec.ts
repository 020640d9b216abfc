import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { MailService, roundRobin } from '../../lib/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { bootFailoverApp } from './app.module.js';
import type { CaptureLogger } from './capture-logger.js';

const FROM = 'from@example.com';

let a: SmtpSink;
let b: SmtpSink;
/** Whether sink `a` defers every message with a 451. */
let aDefers: boolean;
let app: TestingModule | undefined;
let logger: CaptureLogger;

beforeEach(async () => {
  aDefers = false;
  a = await startSmtpSink({
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () =>
        aDefers
          ? callback(
              Object.assign(new Error('Greylisted, try again later'), {
                responseCode: 451,
              }),
            )
          : callback(),
      );
    },
  });
  b = await startSmtpSink();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await Promise.all([a.close(), b.close()]);
});

/** The default mailer takes turns between `a` and `b`. */
async function boot(cooldown = 0): Promise<MailService> {
  ({ app, logger } = await bootFailoverApp({
    ...roundRobin(['a', 'b'], { cooldown }),
    mailers: {
      a: { options: { host: a.host, port: a.port, timeout: 5 } },
      b: { options: { host: b.host, port: b.port, timeout: 5 } },
    },
  }));
  return app.get(MailService);
}

const subjects = (sink: SmtpSink) => sink.messages.map((m) => m.parsed.subject);

describe('round-robin between two SMTP servers', () => {
  it('starts each send at the next mailer in turn', async () => {
    const mail = await boot();
    for (const n of [1, 2, 3, 4, 5]) {
      expect(
        await mail.sendMail(`m${n}`, 'Body', FROM, ['to@example.com']),
      ).toBe(1);
    }
    expect(subjects(a)).toEqual(['m1', 'm3', 'm5']);
    expect(subjects(b)).toEqual(['m2', 'm4']);
  });

  it('keeps a whole batch on one mailer', async () => {
    const mail = await boot();
    await mail.sendMassMail([
      ['x1', 'Body', FROM, ['to@example.com']],
      ['x2', 'Body', FROM, ['to@example.com']],
    ]);
    await mail.sendMail('y', 'Body', FROM, ['to@example.com']);
    expect(subjects(a)).toEqual(['x1', 'x2']);
    expect(subjects(b)).toEqual(['y']);
  });

  it('fails over to the other mailer on a deferral, whichever starts', async () => {
    aDefers = true;
    const mail = await boot();
    for (const n of [1, 2, 3]) {
      expect(
        await mail.sendMail(`m${n}`, 'Body', FROM, ['to@example.com']),
      ).toBe(1);
    }
    expect(subjects(a)).toEqual([]);
    expect(subjects(b)).toEqual(['m1', 'm2', 'm3']);
    const warnings = logger.of('MailFailover', 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(2); // m1 and m3 started at 'a'
    expect(warnings[0]).toContain(
      "Round-robin 'default': mailer 'a' sent 0 of 1; 1 failed transiently: Message failed: 451 Greylisted, try again later; trying mailer 'b' next",
    );
  });

  it('skips a mailer in cool-down when its turn comes, and takes it back afterwards', async () => {
    aDefers = true;
    const mail = await boot(60_000);
    await mail.sendMail('m1', 'Body', FROM, ['to@example.com']); // a defers, b sends
    const tried = a.connectionCount;
    await mail.sendMail('m2', 'Body', FROM, ['to@example.com']); // b's turn
    await mail.sendMail('m3', 'Body', FROM, ['to@example.com']); // a's turn, a cooling
    expect(a.connectionCount).toBe(tried);
    expect(subjects(b)).toEqual(['m1', 'm2', 'm3']);
  });
});
