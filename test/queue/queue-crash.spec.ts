import { describe, expect, it } from '@jest/globals';
import type { StoredOutcome } from '../../lib/queue/index.js';
import { waitFor } from '../support/smtp-sink.js';
import {
  faultSink,
  killHard,
  mailMessage,
  onlyJob,
  queueApp,
  settle,
  smtpSink,
  useRedis,
  waitForState,
  workerOn,
} from './helpers.js';

const redis = useRedis({ dist: true });

describe('a worker killed with SIGKILL in the middle of a send', () => {
  /**
   * Queues one message (3 attempts), lets a worker process send it to a sink
   * that stores it and never answers the first time, kills the worker there,
   * starts another and waits for the job to reach `state`.
   */
  async function killedAfterDot(
    retryAmbiguous: boolean,
    state: 'completed' | 'failed',
  ) {
    const sink = await faultSink({
      afterData: () => (sink.transactions.length === 1 ? 'stall' : 'accept'),
    });
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts: 3,
      retryAmbiguous,
    });
    expect(await mail.send(mailMessage(), { using: 'bulk' })).toBe(1);
    const first = workerOn(sink.port, redis.port, name);
    await waitFor(() => sink.transactions.length === 1, 15_000, 'the "."');
    await killHard(first);

    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const job = await waitForState(jobs, id!, state, 15_000);
    await settle();
    return { job, sink, logs: (await jobs.getJobLogs(id!)).logs };
  }

  it('after the final "." (no answer yet): the next worker fails the job as ambiguous with the evidence; one copy', async () => {
    const { job, sink, logs } = await killedAfterDot(false, 'failed');
    expect(sink.transactions).toHaveLength(1);
    expect(job.failedReason).toMatch(
      /^ambiguous: attempt 1 stopped after its data went out \(.+\) and before the server's answer was recorded/,
    );
    expect(job.attemptsStarted).toBe(2);
    expect(job.progress).toMatchObject({ dataOut: { attempt: 1 } });
    expect(job.data.outcome).toMatchObject({
      status: 'unknown',
      classification: 'ambiguous',
      attempt: 1,
    });
    expect(logs).toEqual([
      expect.stringMatching(/^attempt 1: data going out at /),
    ]);
  }, 40_000);

  it('after the final "." with retryAmbiguous: sent again (two copies), both attempts in the job history', async () => {
    const { job, sink, logs } = await killedAfterDot(true, 'completed');
    expect(sink.stored).toHaveLength(2);
    expect(job.returnvalue).toMatchObject({ status: 'sent', attempt: 2 });
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
  /**
   * Queues one message with `attempts`, lets two worker processes in turn
   * hang at MAIL FROM and kills each there, then starts a third worker and
   * waits for the job to reach `state`.
   */
  async function killedTwiceBeforeData(
    attempts: number,
    state: 'completed' | 'failed',
  ) {
    let mailFroms = 0;
    const sink = await smtpSink({
      onMailFrom(_address: unknown, _session: unknown, callback: () => void) {
        if (++mailFroms > 2) callback();
      },
    });
    const { mail, jobs, name } = await queueApp(redis.port, sink.port, {
      attempts,
    });
    await mail.send(mailMessage(), { using: 'bulk' });
    for (const kill of [1, 2]) {
      const worker = workerOn(sink.port, redis.port, name);
      await waitFor(() => mailFroms === kill, 15_000, `MAIL FROM ${kill}`);
      await killHard(worker);
    }
    workerOn(sink.port, redis.port, name);
    const { id } = await onlyJob(jobs);
    const job = await waitForState(jobs, id!, state, 15_000);
    await settle();
    return { job, sink, mailFroms };
  }

  it('a job whose worker was killed twice before its data is retried and delivered once (each stall an attempt)', async () => {
    const { job, sink } = await killedTwiceBeforeData(5, 'completed');
    expect(sink.messages).toHaveLength(1);
    expect((job.returnvalue as StoredOutcome).attempt).toBe(3);
  }, 60_000);

  it('stalls use up the attempts: then the job fails as transient, saying so, unsent', async () => {
    const { job, sink, mailFroms } = await killedTwiceBeforeData(2, 'failed');
    expect(job.failedReason).toBe(
      'transient: the worker stopped during every attempt (2 of 2) before the data went out',
    );
    expect(mailFroms).toBe(2);
    expect(sink.messages).toHaveLength(0);
  }, 60_000);
});
