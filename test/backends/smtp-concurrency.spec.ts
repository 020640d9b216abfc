import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { SmtpEmailBackend } from '../../lib/backends/smtp.backend.js';
import { parseSmtpUrl } from '../../lib/backends/smtp-url.js';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import {
  EmailMessage,
  MailModule,
  MailService,
  SendError,
  type MassMailItem,
} from '../../lib/index.js';
import {
  startCountingSink,
  type CountingSink,
} from '../support/counting-sink.js';
import { waitFor } from '../support/smtp-sink.js';

const FROM = 'from@example.com';
const item = (n: number): MassMailItem => [
  `m${n}`,
  `Body ${n}`,
  FROM,
  [`to${n}@example.com`],
];
const items = (count: number) =>
  Array.from({ length: count }, (_, i) => item(i));
const mail = (n: number, to = [`to${n}@example.com`]) =>
  new EmailMessage(`m${n}`, `Body ${n}`, FROM, to);

let sink: CountingSink;
let app: TestingModule | undefined;
let backend: SmtpEmailBackend | undefined;

async function startSink(
  onRcptTo?: (address: string) => Error | undefined,
): Promise<void> {
  sink = await startCountingSink({
    server: {
      onRcptTo(address, _session, callback) {
        callback(onRcptTo?.(address.address) ?? undefined);
      },
    },
  });
}

async function boot(options: object = {}): Promise<MailService> {
  app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        options: { host: sink.host, port: sink.port, ...options },
        defaultFromEmail: FROM,
      }),
    ],
  }).compile();
  await app.init();
  return app.get(MailService);
}

const subjects = () => sink.messages.map((m) => m.parsed.subject);

afterEach(async () => {
  await app?.close();
  await backend?.close();
  await sink.close();
  app = backend = undefined;
});

describe('sendMassMail connections', () => {
  it('uses exactly one connection with maxConnections: 1, however many messages', async () => {
    await startSink();
    const mailer = await boot({ maxConnections: 1 });
    const { sent, outcomes } = await mailer.sendMassMailDetailed(items(300));
    expect(sent).toBe(300);
    expect(sink.connectionCount).toBe(1);
    expect(outcomes.map((o) => o.message.subject)).toEqual(
      items(300).map(([subject]) => subject),
    );
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(subjects()).toEqual(items(300).map(([subject]) => subject));
  });

  it('opens at most `concurrency` connections, keeps them for the next batch, and closes them with the app', async () => {
    await startSink();
    const mailer = await boot({ concurrency: 3 });
    const { sent, outcomes } = await mailer.sendMassMailDetailed(items(400));
    expect(sent).toBe(400);
    expect(sink.connectionCount).toBeGreaterThan(1);
    expect(sink.connectionCount).toBeLessThanOrEqual(3);
    expect(sink.peak).toBeLessThanOrEqual(3);
    // Outcomes keep the order given; every message arrived exactly once.
    expect(outcomes.map((o) => o.index)).toEqual([...Array(400).keys()]);
    expect(outcomes.map((o) => o.message.subject)).toEqual(
      items(400).map(([subject]) => subject),
    );
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(new Set(subjects()).size).toBe(400);
    expect(sink.messages).toHaveLength(400);
    for (const { envelope, parsed } of sink.messages) {
      const n = parsed.subject!.slice(1);
      expect(envelope.rcptTo).toEqual([`to${n}@example.com`]);
      expect(parsed.text?.trim()).toBe(`Body ${n}`);
    }

    const opened = sink.connectionCount;
    expect(await mailer.sendMassMail(items(100))).toBe(100);
    expect(sink.connectionCount).toBe(opened);
    expect(sink.closeCount).toBe(0);

    await app!.close();
    app = undefined;
    await waitFor(() => sink.closeCount === opened, 2000, 'every close');
  });

  it('reconnects kept connections the server dropped, sending each message once', async () => {
    await startSink();
    const mailer = await boot({ concurrency: 3 });
    expect(await mailer.sendMassMail(items(300))).toBe(300);
    sink.dropConnections();
    const next = Array.from({ length: 300 }, (_, i) => item(1000 + i));
    expect(await mailer.sendMassMail(next)).toBe(300);
    expect(sink.messages).toHaveLength(600);
    expect(new Set(subjects()).size).toBe(600);
  });

  it('never opens more connections than messages', async () => {
    await startSink();
    const mailer = await boot({ concurrency: 5 });
    expect(await mailer.sendMassMail(items(2))).toBe(2);
    expect(sink.connectionCount).toBeLessThanOrEqual(2);
    expect(await mailer.sendMail('one', 'Body', FROM, ['a@example.com'])).toBe(
      1,
    );
    expect(sink.connectionCount).toBeLessThanOrEqual(2);
  });

  it('takes `concurrency` from an smtp:// URL', async () => {
    expect(parseSmtpUrl('smtp://mail.example.com?concurrency=4')).toEqual({
      host: 'mail.example.com',
      concurrency: 4,
    });
    await startSink();
    const mailer = await boot({
      url: `smtp://${sink.host}:${sink.port}?concurrency=2`,
    });
    expect(await mailer.sendMassMail(items(200))).toBe(200);
    expect(sink.connectionCount).toBeLessThanOrEqual(2);
  });
});

describe('SmtpEmailBackend concurrency', () => {
  const backendFor = (options: object) =>
    (backend = new SmtpEmailBackend({
      host: sink.host,
      port: sink.port,
      ...options,
    }));

  it('closes every connection it opened itself at the end of the call', async () => {
    await startSink();
    const messages = Array.from({ length: 300 }, (_, i) => mail(i));
    expect(await backendFor({ concurrency: 3 }).sendMessages(messages)).toBe(
      300,
    );
    expect(sink.connectionCount).toBeGreaterThan(1);
    expect(sink.connectionCount).toBeLessThanOrEqual(3);
    expect(backend!.isOpen).toBe(false);
    await waitFor(
      () => sink.closeCount === sink.connectionCount,
      2000,
      'every close',
    );
    expect(new Set(subjects()).size).toBe(300);
  });

  it('validates the whole batch first: one bad header sends nothing and connects nowhere', async () => {
    await startSink();
    const messages = Array.from({ length: 50 }, (_, i) => mail(i));
    messages[40].subject = 'Bad\r\nBcc: victim@example.com';
    await expect(
      backendFor({ concurrency: 3 }).sendMessages(messages),
    ).rejects.toBeInstanceOf(BadHeaderError);
    expect(sink.connectionCount).toBe(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('reports a refused message at its own index and sends the others', async () => {
    await startSink((address) =>
      address === 'to77@example.com'
        ? Object.assign(new Error('No such user'), { responseCode: 550 })
        : undefined,
    );
    const messages = Array.from({ length: 150 }, (_, i) => mail(i));
    const error = await backendFor({ concurrency: 3 })
      .sendMessages(messages)
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(SendError);
    const { outcomes, sent } = error as SendError;
    expect(sent).toBe(149);
    expect(outcomes.map((o) => o.index)).toEqual([...Array(150).keys()]);
    expect(outcomes[77]).toMatchObject({
      status: 'failed',
      classification: 'permanent',
    });
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(149);
    expect(sink.messages).toHaveLength(149);
  });

  it('serializes concurrent calls: no more than `concurrency` connections in all', async () => {
    await startSink();
    backendFor({ concurrency: 2 });
    await backend!.open();
    const counts = await Promise.all(
      [0, 1, 2, 3].map((batch) =>
        backend!.sendMessages(
          Array.from({ length: 40 }, (_, i) => mail(batch * 40 + i)),
        ),
      ),
    );
    expect(counts).toEqual([40, 40, 40, 40]);
    expect(sink.connectionCount).toBeLessThanOrEqual(2);
    expect(new Set(subjects()).size).toBe(160);
  });

  it('refuses a concurrency that is not a whole number of connections', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => new SmtpEmailBackend({ concurrency })).toThrow(
        ImproperlyConfiguredError,
      );
    }
    // `concurrency` is a deprecated alias of maxConnections.
    expect(new SmtpEmailBackend().concurrency).toBe(10);
    expect(new SmtpEmailBackend({ concurrency: 3 }).maxConnections).toBe(3);
    expect(
      new SmtpEmailBackend({ concurrency: 3, maxConnections: 2 })
        .maxConnections,
    ).toBe(2);
  });
});
