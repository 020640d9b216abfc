import { describe, expect, it } from '@jest/globals';
import { jobIdOf } from '../../lib/queue/queue.backend.js';
import { waitFor } from '../support/smtp-sink.js';
import {
  faultSink,
  mailMessage,
  queueApp,
  replying,
  smtpError,
  smtpSink,
  useRedis,
  waitForState,
  workerOn,
} from './helpers.js';

const redis = useRedis({ dist: true });

/** An in-process worker that takes a dead worker's job over quickly. */
const worker = { lockDuration: 1000, stalledInterval: 500 };

describe('queued sending with a worker', () => {
  it('delivers, from a worker in another process, what the app queued; sending it again is a duplicate: not queued, not counted', async () => {
    const smtp = await smtpSink();
    const { mail, jobs, name } = await queueApp(redis.port, smtp.port);
    const msg = mailMessage();
    expect(await mail.send(msg, { using: 'bulk' })).toBe(1);

    const child = workerOn(smtp.port, redis.port, name);
    await child.ready;
    await smtp.waitForMessages(1, 10_000);
    const messageId = smtp.messages[0].parsed.messageId!;
    const job = await waitForState(jobs, jobIdOf(messageId), 'completed');
    expect(job.returnvalue).toMatchObject({
      status: 'sent',
      sent: true,
      messageId,
      attempt: 1,
    });
    expect(job.returnvalue.response).toMatch(/^250 /);
    const parsed = smtp.messages[0].parsed;
    expect(parsed.subject).toBe('Queued');
    expect(parsed.attachments[0].content).toEqual(Buffer.from([0, 1, 2, 255]));

    const again = await mail.sendDetailed(msg, { using: 'bulk' });
    expect(again.sent).toBe(0);
    expect(again.outcomes[0]).toMatchObject({
      status: 'duplicate',
      sent: false,
      duplicateOf: { jobId: jobIdOf(messageId), state: 'completed' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages).toHaveLength(1);

    child.child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('Mail queue worker stopped.');
  }, 30_000);

  it('retries a 451 with backoff and delivers', async () => {
    let replies = 0;
    const smtp = await smtpSink(
      replying(() =>
        ++replies === 1 ? smtpError(451, 'Try again later') : null,
      ),
    );
    const { mail, jobs } = await queueApp(redis.port, smtp.port, {
      worker,
      attempts: 3,
    });
    await mail.send(mailMessage(), { using: 'bulk' });
    await smtp.waitForMessages(1);
    const [job] = await jobs.getJobs();
    const done = await waitForState(jobs, job.id!, 'completed');
    expect(done.attemptsMade).toBe(2);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 2 });
  });

  it('puts a 550 in the failed set with the SMTP reply, without retrying', async () => {
    const smtp = await smtpSink(
      replying(() => smtpError(550, 'No such user here')),
    );
    const { mail, jobs } = await queueApp(redis.port, smtp.port, {
      worker,
      attempts: 3,
    });
    await mail.send(mailMessage(), { using: 'bulk' });
    await waitFor(() => smtp.connectionCount > 0);
    const [job] = await jobs.getJobs();
    const failed = await waitForState(jobs, job.id!, 'failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^permanent: .*550 No such user here/);
    expect(failed.data.outcome).toMatchObject({
      status: 'failed',
      classification: 'permanent',
      error: { responseCode: 550 },
      rejected: [{ address: 'to@example.com', responseCode: 550 }],
    });
  });

  it('does not retry an ambiguous failure (connection lost after the data) unless retryAmbiguous', async () => {
    const faulty = await faultSink({ afterData: () => 'drop' });
    const plain = await queueApp(redis.port, faulty.port, {
      worker,
      attempts: 3,
    });
    await plain.mail.send(mailMessage(), { using: 'bulk' });
    await waitFor(() => faulty.transactions.length > 0);
    const [job] = await plain.jobs.getJobs();
    const failed = await waitForState(plain.jobs, job.id!, 'failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^ambiguous: /);

    const opted = await queueApp(redis.port, faulty.port, {
      worker,
      attempts: 2,
      retryAmbiguous: true,
    });
    await opted.mail.send(mailMessage('Again'), { using: 'bulk' });
    const [again] = await opted.jobs.getJobs();
    expect(
      (await waitForState(opted.jobs, again.id!, 'failed')).attemptsMade,
    ).toBe(2);
  });

  it('app.close() during a delivery waits for it: nothing is lost', async () => {
    let started = false;
    const smtp = await smtpSink({
      onData(_stream: unknown, _session: unknown, callback: () => void) {
        started = true;
        setTimeout(callback, 800);
      },
    });
    const {
      mail,
      jobs,
      app: nest,
    } = await queueApp(redis.port, smtp.port, { worker });
    await mail.send(mailMessage(), { using: 'bulk' });
    await waitFor(() => started);
    await nest.close();
    expect(smtp.messages).toHaveLength(1);
    const [job] = await jobs.getJobs();
    expect(await job.getState()).toBe('completed');
  });

  it('a worker killed mid-job loses nothing: another worker delivers it, once', async () => {
    let mailFroms = 0;
    const smtp = await smtpSink({
      // The first delivery hangs before its data starts; the worker is killed there.
      onMailFrom(_address: unknown, _session: unknown, callback: () => void) {
        if (++mailFroms > 1) callback();
      },
    });
    const { mail, jobs, name } = await queueApp(redis.port, smtp.port);
    const first = workerOn(smtp.port, redis.port, name);
    await first.ready;
    await mail.send(mailMessage(), { using: 'bulk' });
    await waitFor(() => mailFroms === 1, 10_000, 'the first MAIL FROM');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = workerOn(smtp.port, redis.port, name);
    await smtp.waitForMessages(1, 15_000);
    const [job] = await jobs.getJobs();
    await waitForState(jobs, job.id!, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 30_000);
});
