import { afterEach, describe, expect, it } from '@jest/globals';
import {
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/backends/smtp.backend.js';
import type { MessageOutcome } from '../../lib/delivery/message-outcome.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import {
  startFaultSink,
  type FaultSink,
  type FaultSinkScript,
} from '../support/fault-sink.js';

const FROM = 'from@example.com';
const mail = (n: number, body = `Body ${n}`) =>
  new EmailMessage(`m${n}`, body, FROM, [`to${n}@example.com`]);
const subjectOf = (data: Buffer) => /Subject: (\S+)/.exec(data.toString())?.[1];

let sink: FaultSink;
let backend: SmtpEmailBackend | undefined;

async function start(
  script: FaultSinkScript,
  options: SmtpEmailBackendOptions = {},
): Promise<SmtpEmailBackend> {
  sink = await startFaultSink(script);
  backend = new SmtpEmailBackend({
    host: sink.host,
    port: sink.port,
    timeout: 5,
    maxConnections: 1,
    failSilently: true,
    ...options,
  });
  return backend;
}

afterEach(async () => {
  await backend?.close();
  await sink.close();
  backend = undefined;
});

/** Nothing reported sent that the server did not store, and nothing stored twice. */
function expectConsistent(outcomes: MessageOutcome[]): void {
  const stored = sink.stored.map((tx) => subjectOf(tx.data));
  expect(new Set(stored).size).toBe(stored.length);
  for (const outcome of outcomes) {
    if (outcome.sent) expect(stored).toContain(outcome.message.subject);
  }
}

describe('a server reply out of turn', () => {
  it('an unsolicited 250 after the final `.` drops the connection before the next message', async () => {
    const conn = await start({
      afterData: (tx) =>
        subjectOf(tx.data) === 'm1' ? 'accept-twice' : 'accept',
    });
    const { outcomes } = await conn.sendMessagesDetailed(
      [1, 2, 3].map((n) => mail(n)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent']);
    expectConsistent(outcomes);
    // The desynchronised connection was not used again.
    expect(sink.connectionCount).toBe(2);
  });

  it('an extra 250 that arrives while the next message is under way makes that message ambiguous, never sent', async () => {
    const conn = await start({
      afterData: (tx) =>
        subjectOf(tx.data) === 'm1' ? 'accept-then-extra' : 'accept',
    });
    const first = await conn.sendMessagesDetailed([mail(1)]);
    await conn.open();
    // m2 starts at once on the kept connection; the extra reply lands in its turn.
    const { outcomes } = await conn.sendMessagesDetailed(
      [2, 3, 4].map((n) => mail(n)),
    );
    expect(first.outcomes[0].status).toBe('sent');
    expectConsistent([...first.outcomes, ...outcomes]);
    for (const outcome of outcomes) {
      expect(['sent', 'unknown']).toContain(outcome.status);
    }
    // After the connection was dropped, the rest went out on a new one.
    expect(outcomes[2].status).toBe('sent');
  });

  it('a 250 before the `.` never makes a message count as sent that the server did not finish', async () => {
    const big = 'x'.repeat(76).concat('\n').repeat(60_000); // about 4.6 MB
    const conn = await start({
      onData: ({ rcptTo }) =>
        rcptTo[0] === 'to1@example.com' ? 'reply-early' : undefined,
    });
    const { outcomes } = await conn.sendMessagesDetailed([
      mail(1, big),
      mail(2),
      mail(3),
    ]);
    expectConsistent(outcomes);
    expect(outcomes[0]).toMatchObject({
      status: 'unknown',
      classification: 'ambiguous',
    });
    expect(outcomes[0].error?.message).toMatch(/out of turn/);
    expect(outcomes.slice(1).map((o) => o.status)).toEqual(['sent', 'sent']);
    expect(sink.connectionCount).toBe(2);
  });
});

describe('a server that answers 354 to DATA after refusing every recipient', () => {
  it('gets no byte of the message after the pipelined RSET, nor before it', async () => {
    const conn = await start({
      onRcptTo: (address) =>
        address === 'to1@example.com' ? '550 5.1.1 No such user' : undefined,
      dataWithoutRecipients: '354 End data with <CR><LF>.<CR><LF>',
    });
    const { outcomes } = await conn.sendMessagesDetailed([
      mail(1, 'SECRET-BODY-ONE'),
      mail(2),
    ]);
    expect(outcomes.map((o) => [o.status, o.classification])).toEqual([
      ['failed', 'permanent'],
      ['sent', null],
    ]);
    const received = sink.received.toString('latin1');
    expect(received).not.toMatch(/SECRET-BODY-ONE|Subject: m1/);
    const rset = received.indexOf('RSET\r\n');
    expect(rset).toBeGreaterThan(0);
    // After RSET: only m2's transaction.
    expect(received.slice(rset)).toMatch(
      /^RSET\r\nMAIL FROM:<from@example\.com>/,
    );
    expect(sink.stored.map((tx) => subjectOf(tx.data)).filter(Boolean)).toEqual(
      ['m2'],
    );
  });
});
