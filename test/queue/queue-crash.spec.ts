import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { StoredOutcome } from '../../lib/index.js';
import { startFaultSink, type FaultSinkScript } from '../support/fault-sink.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startSmtpSink, waitFor } from '../support/smtp-sink.js';
import {
  cleanup,
  ensureDist,
  killHard,
  mailMessage,
  onlyJob,
  queueApp,
  runCleanup,
  settle,
  waitForState,
  workerOn,
} from './helpers.js';

let redis: RedisServer;

beforeAll(async () => {
  ensureDist();
  redis = await startRedisServer();
}, 120_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(runCleanup);

async function faultSink(script: FaultSinkScript) {
  const sink = await startFaultSink(script);
  cleanup.push(() => sink.close());
  return sink;
}

describe('a worker killed with SIGKILL in the middle of a send', () => {
  it('after the final "." (no answer yet): the next worker fails the job as ambiguous with the evidence; one copy', async () => {
    const sink = await faultSink({ afterData: () => 'stall' });
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts: 3,
    });
    expect(await mail.send(mailMessage(), { using: 'bulk' })).toBe(1);
    const first = workerOn(sink.port, redis.port, name);
    await waitFor(() => sink.transactions.length === 1, 15_000, 'the "."');
    await killHard(first);

    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const failed = await waitForState(jobs, id!, 'failed', 15_000);
    await settle();
    expect(sink.transactions).toHaveLength(1);
    expect(failed.failedReason).toMatch(
      /^ambiguous: attempt 1 stopped after its data went out \(.+\) and before the server's answer was recorded/,
    );
    expect(failed.attemptsStarted).toBe(2);
    expect(failed.progress).toMatchObject({ dataOut: { attempt: 1 } });
    expect(failed.data.outcome).toMatchObject({
      status: 'unknown',
      classification: 'ambiguous',
      attempt: 1,
    });
    const { logs } = await jobs.getJobLogs(id!);
    expect(logs).toEqual([
      expect.stringMatching(/^attempt 1: data going out at /),
    ]);
  }, 40_000);

  it('after the final "." with retryAmbiguous: sent again (two copies), both attempts in the job history', async () => {
    const sink = await faultSink({
      afterData: () => (sink.transactions.length === 1 ? 'stall' : 'accept'),
    });
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts: 3,
      retryAmbiguous: true,
    });
    expect(await mail.send(mailMessage(), { using: 'bulk' })).toBe(1);
    const first = workerOn(sink.port, redis.port, name);
    await waitFor(() => sink.transactions.length === 1, 15_000, 'the "."');
    await killHard(first);

    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const done = await waitForState(jobs, id!, 'completed', 15_000);
    await settle();
    expect(sink.stored).toHaveLength(2);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 2 });
    const { logs } = await jobs.getJobLogs(id!);
    expect(logs).toEqual([
      expect.stringMatching(/^attempt 1: data going out at /),
      expect.stringMatching(/^attempt 2: data going out at /),
    ]);
  }, 40_000);

  it('after DATA\'s 354, before the final ".": the next worker delivers it, exactly once', async () => {
    const sink = await faultSink({ onData: () => 'hold' });
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      maxMessageBytes: 64 * 1024 * 1024,
    });
    // Larger than the socket buffers, so the held client blocks mid-data.
    const big = mailMessage('Big');
    big.attach('big.bin', Buffer.alloc(12 * 1024 * 1024, 7));
    expect(await mail.send(big, { using: 'bulk' })).toBe(1);
    const first = workerOn(sink.port, redis.port, name);
    await waitFor(() => sink.commands.includes('DATA'), 15_000, 'DATA');
    await settle(300);
    await killHard(first);
    expect(sink.transactions).toHaveLength(0);

    sink.script = {};
    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const done = await waitForState(jobs, id!, 'completed', 20_000);
    await settle();
    expect(sink.stored).toHaveLength(1);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 2 });
    const { logs } = await jobs.getJobLogs(id!);
    expect(logs).toEqual([
      expect.stringMatching(/^attempt 2: data going out at /),
    ]);
  }, 60_000);
});

describe('stalls', () => {
  async function holdingSink(holds: number) {
    let mailFroms = 0;
    const sink = await startSmtpSink({
      // The first `holds` deliveries hang before their data; their worker is killed there.
      onMailFrom(_address: unknown, _session: unknown, callback: () => void) {
        if (++mailFroms > holds) callback();
      },
    });
    cleanup.push(() => sink.close());
    return { sink, mailFroms: () => mailFroms };
  }

  it('a job whose worker was killed twice before its data is retried and delivered once (each stall an attempt)', async () => {
    const { sink, mailFroms } = await holdingSink(2);
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts: 5,
    });
    await mail.send(mailMessage(), { using: 'bulk' });
    for (const kill of [1, 2]) {
      const worker = workerOn(sink.port, redis.port, name);
      await waitFor(() => mailFroms() === kill, 15_000, `MAIL FROM ${kill}`);
      await killHard(worker);
    }
    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const done = await waitForState(jobs, id!, 'completed', 15_000);
    await settle();
    expect(sink.messages).toHaveLength(1);
    expect((done.returnvalue as StoredOutcome).attempt).toBe(3);
  }, 60_000);

  it('stalls use up the attempts: then the job fails as transient, saying so, unsent', async () => {
    const { sink, mailFroms } = await holdingSink(2);
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts: 2,
    });
    await mail.send(mailMessage(), { using: 'bulk' });
    for (const kill of [1, 2]) {
      const worker = workerOn(sink.port, redis.port, name);
      await waitFor(() => mailFroms() === kill, 15_000, `MAIL FROM ${kill}`);
      await killHard(worker);
    }
    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const failed = await waitForState(jobs, id!, 'failed', 15_000);
    expect(failed.failedReason).toBe(
      'transient: the worker stopped during every attempt (2 of 2) before the data went out',
    );
    expect(mailFroms()).toBe(2);
    expect(sink.messages).toHaveLength(0);
  }, 60_000);
});
