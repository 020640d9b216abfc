import { afterEach, describe, expect, it } from '@jest/globals';
import {
  EmailMessage,
  SendError,
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/index.js';
import {
  startFaultSink,
  type FaultSink,
  type FaultSinkScript,
} from '../support/fault-sink.js';
import { assertEnvelopeInvariant } from './invariant.js';

const FROM = 'from@example.com';
const mail = (n: number) =>
  new EmailMessage(`m${n}`, `Body ${n}`, FROM, [`to${n}@example.com`]);
const subjectOf = (data: Buffer) => /Subject: (\S+)/.exec(data.toString())![1];

let sink: FaultSink;
let backend: SmtpEmailBackend | undefined;
afterEach(async () => {
  await backend?.close();
  await sink.close();
  backend = undefined;
});

async function start(
  script: FaultSinkScript,
  options: SmtpEmailBackendOptions = {},
) {
  sink = await startFaultSink(script);
  backend = new SmtpEmailBackend({
    host: sink.host,
    port: sink.port,
    timeout: 5,
    ...options,
  });
  return backend;
}

describe('a failed STARTTLS or login never leaves a connection used in plain text (CVE-2026-7666)', () => {
  it.each<[string, FaultSinkScript, SmtpEmailBackendOptions]>([
    [
      'STARTTLS handshake fails',
      { extensions: ['STARTTLS', 'AUTH PLAIN'], starttls: 'garbage' },
      { useTls: true, username: 'u', password: 'p' },
    ],
    [
      'STARTTLS is missing',
      { extensions: ['AUTH PLAIN'] },
      { useTls: true, username: 'u', password: 'p' },
    ],
    [
      'AUTH is refused with 535',
      { auth: '535 5.7.8 Bad credentials' },
      { username: 'u', password: 'p' },
    ],
  ])(
    '%s, with failSilently, then the same backend is reused',
    async (_, script, options) => {
      const conn = await start(script, { ...options, failSilently: true });
      expect(await conn.open()).toBeUndefined();
      expect(await conn.sendMessages([mail(1)])).toBe(0);
      const { sent, outcomes } = await conn.sendMessagesDetailed([
        mail(2),
        mail(3),
      ]);
      expect(sent).toBe(0);
      expect(outcomes.map((o) => o.status)).toEqual([
        'not-attempted',
        'not-attempted',
      ]);
      expect(await conn.open()).toBeUndefined();
      await conn.close();

      // open, a send of one, a batch of two (two connections tried at once), open.
      expect(sink.connectionCount).toBe(5);
      expect(sink.mailFromCount).toBe(0);
      expect(sink.transactions).toEqual([]);
      const allowed = options.useTls ? /^(EHLO|STARTTLS)\b/ : /^(EHLO|AUTH)\b/;
      expect(sink.commands.filter((c) => !allowed.test(c))).toEqual([]);
      if (options.useTls) expect(sink.received.toString()).not.toMatch(/AUTH/);
    },
  );
});

describe('a dropped connection mid-batch', () => {
  const script: FaultSinkScript = {
    afterData: (tx) => (subjectOf(tx.data) === 'm2' ? 'drop' : 'accept'),
  };

  it('reports the ambiguous message, never resends it, and sends the rest on a new connection (failSilently)', async () => {
    const conn = await start(script, { failSilently: true, maxConnections: 1 });
    const messages = [1, 2, 3, 4].map(mail);
    const { sent, outcomes } = await conn.sendMessagesDetailed(messages);
    // Django: 1 counted, 2 stored, 3 and 4 fail with "please run connect() first".
    expect(sent).toBe(3);
    expect(outcomes.map((o) => [o.status, o.classification])).toEqual([
      ['sent', null],
      ['unknown', 'ambiguous'],
      ['sent', null],
      ['sent', null],
    ]);
    expect(outcomes[1].error).toMatchObject({ code: 'ECONNECTION' });
    expect(sink.stored.map((tx) => subjectOf(tx.data))).toEqual([
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
    expect(sink.connectionCount).toBe(2);
    for (const [i, tx] of sink.stored.entries()) {
      await assertEnvelopeInvariant(tx, messages[i]);
    }
  });

  it('throws a SendError naming the ambiguous message after sending the rest', async () => {
    const conn = await start(script, { maxConnections: 1 });
    let error: unknown;
    try {
      await conn.sendMessages([1, 2, 3].map(mail));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SendError);
    const err = error as SendError;
    expect(err.sent).toBe(2);
    expect(err.code).toBe('ECONNECTION');
    expect(err.message).toMatch(
      /^2 of 3 message\(s\) sent; message 2 may have been delivered \(ambiguous/,
    );
    expect(err.outcomes.map((o) => o.status)).toEqual([
      'sent',
      'unknown',
      'sent',
    ]);
    expect(sink.stored.map((tx) => subjectOf(tx.data))).toEqual([
      'm1',
      'm2',
      'm3',
    ]);
  });

  it('stops at a server that cannot be reached again, reporting the rest as not attempted', async () => {
    const conn = await start(
      {
        afterData: (tx) => {
          if (subjectOf(tx.data) === 'm2') {
            sink.script = { greeting: '421 4.3.2 Going down' };
            return 'drop';
          }
          return 'accept';
        },
      },
      { failSilently: true, maxConnections: 1 },
    );
    const { sent, outcomes } = await conn.sendMessagesDetailed(
      [1, 2, 3, 4].map(mail),
    );
    expect(sent).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual([
      'sent',
      'unknown',
      'not-attempted',
      'not-attempted',
    ]);
    expect(outcomes[2].classification).toBe('transient');
    expect(sink.connectionCount).toBe(2); // one reconnect for the rest, not one per message
  });
});
