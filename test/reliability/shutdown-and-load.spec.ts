import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  EmailMessage,
  MailModule,
  MailService,
  SendError,
  type MassMailItem,
  type MimeMessage,
} from '../../lib/index.js';
import {
  startFaultSink,
  type FaultSink,
  type FaultSinkScript,
} from '../support/fault-sink.js';
import { waitFor } from '../support/smtp-sink.js';
import { assertEnvelopeInvariant } from './invariant.js';

const FROM = 'from@example.com';
const item = (n: number): MassMailItem => [
  `m${n}`,
  `Body ${n}`,
  FROM,
  [`to${n}@example.com`],
];
const subjectOf = (data: Buffer) => /Subject: (\S+)/.exec(data.toString())![1];

let app: TestingModule | undefined;
let sink: FaultSink;
let restore: (() => void) | undefined;
afterEach(async () => {
  restore?.();
  await app?.close();
  await sink.close();
  app = restore = undefined;
});

async function boot(script: FaultSinkScript = {}): Promise<MailService> {
  sink = await startFaultSink(script);
  app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        options: { host: sink.host, port: sink.port, timeout: 5 },
        defaultFromEmail: FROM,
      }),
    ],
  }).compile();
  await app.init();
  return app.get(MailService);
}

describe('app.close() during sendMassMail', () => {
  it('lets the running batch finish, then closes the connection', async () => {
    const mail = await boot();
    const sending = mail.sendMassMail(
      Array.from({ length: 300 }, (_, i) => item(i)),
    );
    await waitFor(() => sink.transactions.length >= 20, 5000, '20 messages');
    const closing = app!.close();
    app = undefined;
    // A send that arrives while the app shuts down still goes out, on a
    // connection of its own that it closes.
    const late = mail.sendMail('late', 'Body', FROM, ['late@example.com']);
    expect(await sending).toBe(300);
    await closing;
    expect(await late).toBe(1);
    const subjects = sink.stored.map((tx) => subjectOf(tx.data));
    expect(subjects).toHaveLength(301);
    expect(new Set(subjects).size).toBe(301);
    await waitFor(
      () =>
        sink.commands.filter((c) => c === 'QUIT').length ===
        sink.connectionCount,
      2000,
      'every connection to be closed',
    );
  });

  it('reports exactly what was stored when the server goes away during shutdown', async () => {
    let stopAt = Infinity;
    const mail = await boot({
      afterData: () => {
        if (sink.transactions.length < stopAt) return 'accept';
        sink.script = { greeting: '421 4.3.2 Shutting down' };
        return 'drop';
      },
    });
    const sending = mail.sendMassMail(
      Array.from({ length: 200 }, (_, i) => item(i)),
    );
    await waitFor(() => sink.transactions.length >= 20, 5000, '20 messages');
    stopAt = sink.transactions.length + 5;
    const closing = app!.close();
    app = undefined;
    const err = await sending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    await closing;
    expect(err).toBeInstanceOf(SendError);
    const { outcomes, sent } = err as SendError;
    const stored = new Set(sink.stored.map((tx) => subjectOf(tx.data)));
    // Each connection of the pool loses at most its own message in flight.
    const unknown = outcomes.filter((o) => o.status === 'unknown');
    expect(unknown.length).toBeGreaterThanOrEqual(1);
    expect(unknown.length).toBeLessThanOrEqual(10);
    expect(sent).toBe(stored.size - unknown.length);
    for (const outcome of outcomes) {
      const subject = outcome.message.subject;
      // Nothing reported sent is lost, nothing stored is reported as not sent.
      if (outcome.sent) expect(stored.has(subject)).toBe(true);
      if (stored.has(subject))
        expect(['sent', 'unknown']).toContain(outcome.status);
      else expect(outcome.status).toBe('not-attempted');
    }
  });
});

describe('load', () => {
  it('sends 10,000 messages in one sendMassMail without keeping the rendered messages', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const rendered: Array<WeakRef<MimeMessage>> = [];
    // A hand-made wrapper: a jest spy would itself keep every return value.
    const render = EmailMessage.prototype.message;
    EmailMessage.prototype.message = function (this: EmailMessage, settings) {
      const mime = render.call(this, settings);
      rendered.push(new WeakRef(mime));
      return mime;
    };
    restore = () => (EmailMessage.prototype.message = render);
    let aliveEarly = -1;
    const mail = await boot({
      afterData: () => {
        if (sink.transactions.length === 9000) {
          setTimeout(() => {
            gc();
            aliveEarly = rendered
              .slice(0, 8000)
              .filter((ref) => ref.deref()).length;
          });
        }
        return 'accept';
      },
    });
    const items = Array.from({ length: 10_000 }, (_, i) => item(i));
    expect(await mail.sendMassMail(items)).toBe(10_000);
    expect(sink.stored).toHaveLength(10_000);
    expect(new Set(sink.stored.map((tx) => subjectOf(tx.data))).size).toBe(
      10_000,
    );
    // The default pool: at most maxConnections (10), each reused throughout.
    expect(sink.connectionCount).toBeLessThanOrEqual(10);
    for (const i of [0, 4999, 9999]) {
      await assertEnvelopeInvariant(
        sink.stored[i],
        new EmailMessage(...items[i]),
      );
    }
    // Messages already sent are released while the batch goes on.
    expect(rendered).toHaveLength(10_000);
    expect(aliveEarly).toBe(0);
  }, 60_000);

  it('serves 1,000 concurrent sendMail calls over the pool (maxConnections 10)', async () => {
    const mail = await boot();
    const counts = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        mail.sendMail(`c${i}`, 'Body', FROM, [`c${i}@example.com`]),
      ),
    );
    expect(counts).toEqual(Array(1000).fill(1));
    expect(sink.stored).toHaveLength(1000);
    expect(new Set(sink.stored.map((tx) => subjectOf(tx.data))).size).toBe(
      1000,
    );
    expect(sink.connectionCount).toBe(10);
    for (const tx of sink.stored) {
      const n = subjectOf(tx.data).slice(1);
      expect(tx.rcptTo).toEqual([`c${n}@example.com`]);
    }
  }, 30_000);
});
