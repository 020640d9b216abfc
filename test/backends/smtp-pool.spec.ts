import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/backends/smtp.backend.js';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import { EmailMessage, MailModule, MailService } from '../../lib/index.js';
import { startFaultSink, type FaultSink } from '../support/fault-sink.js';
import {
  startCountingSink,
  type CountingSink,
} from '../support/counting-sink.js';
import { waitFor } from '../support/smtp-sink.js';

const FROM = 'from@example.com';
const mail = (n: number | string) =>
  new EmailMessage(`m${n}`, `Body ${n}`, FROM, [`to${n}@example.com`]);

let sink: CountingSink | undefined;
let fault: FaultSink | undefined;
let backend: SmtpEmailBackend | undefined;
let app: TestingModule | undefined;

async function startSink(
  options: Parameters<typeof startCountingSink>[0] = {},
) {
  sink = await startCountingSink(options);
  return sink;
}

const backendFor = (options: SmtpEmailBackendOptions = {}) =>
  (backend = new SmtpEmailBackend({
    host: '127.0.0.1',
    port: (sink ?? fault)!.port,
    timeout: 5,
    ...options,
  }));

/** The module's MailService, its default mailer on the sink with `maxConnections`. */
async function mailServiceFor(maxConnections: number): Promise<MailService> {
  app = await Test.createTestingModule({
    imports: [
      MailModule.forRoot({
        options: { host: '127.0.0.1', port: sink!.port, maxConnections },
        defaultFromEmail: FROM,
      }),
    ],
  }).compile();
  await app.init();
  return app.get(MailService);
}

const subjects = () => sink!.messages.map((m) => m.parsed.subject);
const releaseHeld = () => sink?.releaseHeld();

afterEach(async () => {
  releaseHeld();
  await app?.close();
  await backend?.close();
  await sink?.close();
  await fault?.close();
  sink = fault = backend = app = undefined;
});

describe('SmtpEmailBackend pool', () => {
  it('spreads concurrent sends over at most maxConnections connections, opening another while all are busy', async () => {
    await startSink({ hold: true });
    backendFor({ maxConnections: 3 });
    await backend!.open();
    const first = backend!.sendMessages([mail(1)]);
    const second = backend!.sendMessages([mail(2)]);
    // Both are in their DATA phase at the same time: two connections busy.
    await waitFor(
      () => sink!.held.length === 2,
      5000,
      'two messages in flight',
    );
    expect(sink!.connectionCount).toBe(2);
    expect(backend!.pool).toEqual({ open: 2, busy: 2, idle: 0, waiting: 0 });
    const rest = Array.from({ length: 20 }, (_, i) =>
      backend!.sendMessages([mail(10 + i)]),
    );
    await waitFor(
      () => sink!.held.length === 3,
      5000,
      'three messages in flight',
    );
    expect(backend!.pool).toMatchObject({ open: 3, busy: 3, waiting: 19 });
    while (sink!.held.length || backend!.pool.busy) {
      releaseHeld();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all([first, second, ...rest])).toEqual(
      Array(22).fill(1),
    );
    expect(sink!.peak).toBeLessThanOrEqual(3);
    expect(sink!.connectionCount).toBe(3);
    expect(new Set(subjects()).size).toBe(22);
    expect(backend!.pool).toEqual({ open: 3, busy: 0, idle: 3, waiting: 0 });
  });

  it('spreads one batch over the pool, keeping the outcomes in the order given', async () => {
    await startSink();
    backendFor({ maxConnections: 4 });
    const messages = Array.from({ length: 200 }, (_, i) => mail(i));
    const { sent, outcomes } = await backend!.sendMessagesDetailed(messages, {
      keepOpen: true,
    });
    expect(sent).toBe(200);
    expect(outcomes.map((o) => o.message)).toEqual(messages);
    expect(sink!.connectionCount).toBe(4);
    expect(new Set(subjects()).size).toBe(200);
  });

  it('closes idle connections after idleTimeout, and reopens on demand', async () => {
    await startSink();
    backendFor({ idleTimeout: 0.2 });
    expect(
      await backend!.sendMessagesDetailed([mail(1)], { keepOpen: true }),
    ).toMatchObject({ sent: 1 });
    expect(backend!.isOpen).toBe(true);
    await waitFor(() => sink!.closeCount === 1, 5000, 'the idle close');
    expect(backend!.pool.open).toBe(0);
    expect(backend!.isOpen).toBe(false);
    expect(await backend!.sendMessages([mail(2)])).toBe(1);
    expect(sink!.connectionCount).toBe(2);
  });

  it('close() waits for the messages in flight, then closes every connection', async () => {
    await startSink({ hold: true });
    backendFor({ maxConnections: 3 });
    await backend!.open();
    const sends = [1, 2, 3].map((n) => backend!.sendMessages([mail(n)]));
    await waitFor(
      () => sink!.held.length === 3,
      5000,
      'three messages in flight',
    );
    let closed = false;
    const closing = backend!.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    expect(sink!.closeCount).toBe(0);
    releaseHeld();
    await closing;
    expect(await Promise.all(sends)).toEqual([1, 1, 1]);
    expect(backend!.pool.open).toBe(0);
    await waitFor(() => sink!.closeCount === 3, 5000, 'every socket closed');
  });

  it('app.close() waits for sends in flight and closes every pooled connection', async () => {
    await startSink({ hold: true });
    const service = await mailServiceFor(4);
    const sends = [1, 2, 3, 4, 5, 6].map((n) =>
      service.sendMail(`m${n}`, 'Body', FROM, [`to${n}@example.com`]),
    );
    await waitFor(
      () => sink!.held.length === 4,
      5000,
      'four messages in flight',
    );
    const closing = app!.close();
    app = undefined;
    while ((await Promise.race([closing, 'pending'])) === 'pending') {
      releaseHeld();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await Promise.all(sends)).toEqual(Array(6).fill(1));
    await waitFor(() => sink!.closeCount === 4, 5000, 'every socket closed');
    expect(sink!.connectionCount).toBe(4);
  });

  it('a connection dropped mid-burst costs only its own message, never a duplicate', async () => {
    fault = await startFaultSink({
      afterData: (tx) =>
        /Subject: m7\r\n/.test(tx.data.toString()) ? 'drop' : 'accept',
    });
    backendFor({ maxConnections: 4, failSilently: true });
    await backend!.open();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        backend!.sendMessagesDetailed([mail(i)]),
      ),
    );
    const statuses = results.map((r) => r.outcomes[0].status);
    expect(statuses.filter((s) => s === 'unknown')).toHaveLength(1);
    expect(statuses[7]).toBe('unknown');
    expect(results[7].outcomes[0].classification).toBe('ambiguous');
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(29);
    const stored = fault.stored.map(
      (tx) => /Subject: (\S+)/.exec(tx.data.toString())![1],
    );
    // Every message reached the server exactly once (m7 too: it was stored).
    expect(stored).toHaveLength(30);
    expect(new Set(stored).size).toBe(30);
    expect(fault.connectionCount).toBeLessThanOrEqual(5);
  });

  it('waits for the open connections when the server refuses more than it allows', async () => {
    // A provider limit of 2 connections, below maxConnections.
    await startSink({ hold: true, server: { maxClients: 2 } });
    backendFor({ maxConnections: 5, failSilently: true });
    await backend!.open();
    const sends = Array.from({ length: 8 }, (_, i) =>
      backend!.sendMessagesDetailed([mail(i)]),
    );
    await waitFor(() => sink!.held.length === 2, 5000, 'two in flight');
    while (backend!.pool.busy || sink!.held.length) {
      releaseHeld();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const results = await Promise.all(sends);
    expect(results.map((r) => r.outcomes[0].status)).toEqual(
      Array(8).fill('sent'),
    );
    expect(backend!.pool.open).toBe(2);
  });

  it('retries a message once, on a new connection, when pooled connections died while idle', async () => {
    await startSink();
    backendFor({ maxConnections: 3 });
    await backend!.sendMessagesDetailed(
      [1, 2, 3].map((n) => mail(n)),
      { keepOpen: true },
    );
    expect(backend!.pool.idle).toBe(3);
    sink!.dropConnections();
    const results = await Promise.all(
      [4, 5, 6, 7, 8].map((n) => backend!.sendMessages([mail(n)])),
    );
    expect(results).toEqual([1, 1, 1, 1, 1]);
    expect(subjects().sort()).toEqual(
      ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'].sort(),
    );
  });

  it('closes a connection after maxMessagesPerConnection messages', async () => {
    await startSink();
    backendFor({ maxConnections: 1, maxMessagesPerConnection: 3 });
    await backend!.open();
    for (let n = 0; n < 8; n++) {
      expect(await backend!.sendMessages([mail(n)])).toBe(1);
    }
    expect(sink!.connectionCount).toBe(3);
    await waitFor(() => sink!.closeCount === 2, 5000, 'two closes');
  });

  it('holds the rate limit over every window, with several connections', async () => {
    await startSink();
    backendFor({
      maxConnections: 3,
      rateLimit: { messages: 4, perSeconds: 0.4 },
    });
    const messages = Array.from({ length: 16 }, (_, i) => mail(i));
    expect(await backend!.sendMessages(messages)).toBe(16);
    expect(sink!.mailFromAt).toHaveLength(16);
    const at = [...sink!.mailFromAt].sort((a, b) => a - b);
    // Any 5 consecutive starts span more than one window (less a margin for
    // the time between a message's start and its MAIL FROM arriving).
    for (let i = 0; i + 4 < at.length; i++) {
      expect(at[i + 4] - at[i]).toBeGreaterThanOrEqual(400 - 40);
    }
  });

  it('leaves no socket and no timer behind after 1,000 failing sends', async () => {
    const resources = () => {
      const info = process.getActiveResourcesInfo();
      return {
        sockets: info.filter((r) => /TCP|Pipe/.test(r)).length,
        timers: info.filter((r) => r === 'Timeout').length,
      };
    };
    // A server that refuses every recipient, and one that hangs up.
    fault = await startFaultSink({
      onRcptTo: () => '550 5.1.1 No such user',
    });
    const before = resources();
    backendFor({ maxConnections: 4, failSilently: true });
    await backend!.open();
    const refused = await Promise.all(
      Array.from({ length: 500 }, (_, i) => backend!.sendMessages([mail(i)])),
    );
    expect(refused).toEqual(Array(500).fill(0));
    await backend!.close();
    fault.script = { greeting: '421 4.3.2 Going down' };
    const dropped = await Promise.all(
      Array.from({ length: 500 }, (_, i) => backend!.sendMessages([mail(i)])),
    );
    expect(dropped).toEqual(Array(500).fill(0));
    await backend!.close();
    await fault.close();
    fault = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = resources();
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    expect(backend!.pool).toEqual({ open: 0, busy: 0, idle: 0, waiting: 0 });
  }, 30_000);

  it('checkServer() sends RSET over an idle connection, or opens one', async () => {
    fault = await startFaultSink();
    backendFor();
    expect(await backend!.checkServer()).toBe('connect');
    // A backend that was not open is left closed.
    expect(backend!.isOpen).toBe(false);
    await backend!.open();
    expect(await backend!.checkServer()).toBe('reset');
    expect(fault.commands.filter((c) => c === 'RSET')).toHaveLength(1);
    expect(fault.connectionCount).toBe(2);
  });

  it('refuses pool options that are not numbers of the right kind', () => {
    for (const options of [
      { maxConnections: 0 },
      { maxConnections: 2.5 },
      { maxMessagesPerConnection: 0 },
      { idleTimeout: 0 },
      { rateLimit: { messages: 0 } },
      { rateLimit: { messages: 5, perSeconds: -1 } },
    ]) {
      expect(() => new SmtpEmailBackend(options)).toThrow(
        ImproperlyConfiguredError,
      );
    }
  });
});

describe('SmtpEmailBackend url', () => {
  it('connects where the URL says; explicit options win', async () => {
    await startSink();
    backend = new SmtpEmailBackend({
      url: `smtp://127.0.0.1:${sink!.port}?timeout=5`,
    });
    expect([backend.host, backend.port, backend.timeout]).toEqual([
      '127.0.0.1',
      sink!.port,
      5,
    ]);
    expect(await backend.sendMessages([mail(1)])).toBe(1);
    const explicit = new SmtpEmailBackend({
      url: 'smtp://127.0.0.1:1',
      port: sink!.port,
      host: undefined,
    });
    expect([explicit.host, explicit.port]).toEqual(['127.0.0.1', sink!.port]);
    expect(await explicit.sendMessages([mail(2)])).toBe(1);
    expect(sink!.messages).toHaveLength(2);
  });

  it('refuses a URL it cannot read, naming the problem', () => {
    expect(() => new SmtpEmailBackend({ url: 'http://example.com' })).toThrow(
      ImproperlyConfiguredError,
    );
  });
});

describe('getConnection()', () => {
  it('returns a backend of its own, never sharing the pool', async () => {
    await startSink({ hold: true });
    const service = await mailServiceFor(1);
    // The shared mailer's only connection is busy...
    const shared = service.sendMail('shared', 'Body', FROM, ['a@example.com']);
    await waitFor(() => sink!.held.length === 1, 5000, 'the shared send');
    // ...and a connection from getConnection() opens its own.
    const conn = service.getConnection() as SmtpEmailBackend;
    const own = conn.sendMessages([mail('own')]);
    await waitFor(() => sink!.held.length === 2, 5000, 'the own send');
    expect(sink!.connectionCount).toBe(2);
    releaseHeld();
    expect(await own).toBe(1);
    expect(await shared).toBe(1);
    // Django's semantics: a send on a connection that was not opened closes it.
    expect(conn.isOpen).toBe(false);
  });
});
