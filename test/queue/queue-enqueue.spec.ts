import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  mailMessage,
  queueApp,
  queueName,
  replying,
  root,
  settle,
  smtpError,
  smtpSink,
  useRedis,
  waitForState,
} from './helpers.js';

const redis = useRedis();

describe('sending a Message-ID that is already queued', () => {
  it('is a duplicate: not queued, not counted, its outcome gives the existing job and state', async () => {
    const smtp = await smtpSink();
    const { mail, jobs, app } = await queueApp(redis.port, smtp.port, {
      worker: {},
    });
    const { MailQueueWorker } = await import('../../lib/queue/index.js');
    await app.get(MailQueueWorker).worker!.pause();
    const first = mailMessage('First');
    first.extraHeaders['Message-ID'] = '<same@example.com>';
    const second = mailMessage('Second');
    second.extraHeaders['Message-ID'] = '<same@example.com>';

    expect(await mail.send(first, { using: 'bulk' })).toBe(1);
    const apart = await mail.sendDetailed(second, { using: 'bulk' });
    expect(apart.sent).toBe(0);
    expect(apart.outcomes[0]).toMatchObject({
      status: 'duplicate',
      sent: false,
      classification: null,
      duplicateOf: { jobId: '<same@example.com>', state: 'waiting' },
    });

    const [a, b] = [mailMessage('A'), mailMessage('B')];
    a.extraHeaders['Message-ID'] = b.extraHeaders['Message-ID'] =
      '<pair@example.com>';
    const together = await mail.sendDetailed([a, b], { using: 'bulk' });
    expect(together.sent).toBe(1);
    expect(together.outcomes.map((o) => o.status)).toEqual([
      'sent',
      'duplicate',
    ]);

    // What the docs say to do for a real resend: a new Message-ID.
    const resend = second.clone();
    resend.extraHeaders['Message-ID'] = `<${randomUUID()}@example.com>`;
    expect(await mail.send(resend, { using: 'bulk' })).toBe(1);

    app.get(MailQueueWorker).worker!.resume();
    await smtp.waitForMessages(3, 10_000);
    await settle();
    expect(smtp.messages.map((m) => m.parsed.subject).sort()).toEqual([
      'A',
      'First',
      'Second',
    ]);
    expect(await jobs.getJobCounts('completed')).toEqual({ completed: 3 });
  }, 30_000);

  it('of a failed job queues it again (attempts start over) and counts it', async () => {
    let replies = 0;
    const smtp = await smtpSink(
      replying(() =>
        ++replies === 1 ? smtpError(550, 'No such user here') : null,
      ),
    );
    const { mail, jobs } = await queueApp(redis.port, smtp.port, {
      worker: {},
      attempts: 3,
    });
    const msg = mailMessage('Again');
    expect(await mail.send(msg, { using: 'bulk' })).toBe(1);
    const [job] = await jobs.getJobs();
    await waitForState(jobs, job.id!, 'failed');

    expect(await mail.send(msg, { using: 'bulk' })).toBe(1);
    const done = await waitForState(jobs, job.id!, 'completed');
    await settle();
    expect(smtp.messages).toHaveLength(1);
    expect(replies).toBe(2);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 1 });
    expect(done.data.outcome).toBeUndefined();
  }, 30_000);
});

describe('concurrent first sends', () => {
  it('20 at once share one Redis connection, and after app.close() the process exits on its own', async () => {
    const child = spawn(
      process.execPath,
      [join(root, 'test', 'queue', 'fixtures', 'concurrent-first-sends.mjs')],
      {
        env: {
          ...process.env,
          REDIS_PORT: String(redis.port),
          QUEUE_NAME: queueName(),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // Only a safety net: a process that does not exit is killed and fails below.
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, string | null]>(
      (resolve) => child.once('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(killer);
    expect(output).toBe('{"sent":20,"clients":1}\nclosed\n');
    expect([code, signal]).toEqual([0, null]);
  }, 30_000);
});
