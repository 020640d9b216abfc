import { describe, expect, it } from '@jest/globals';
import { MailQueueWorker } from '../../lib/queue/index.js';
import { waitFor } from '../support/smtp-sink.js';
import {
  mailMessage,
  queueApp,
  settle,
  smtpSink,
  useRedis,
  waitForState,
} from './helpers.js';

const redis = useRedis({ persistent: true });

describe('Redis killed (SIGKILL) and restarted', () => {
  it('while jobs wait: every one is delivered afterwards, once', async () => {
    const smtp = await smtpSink();
    const { mail, jobs, app } = await queueApp(redis.port, smtp.port, {
      worker: { lockDuration: 10_000, stalledInterval: 5000 },
    });
    await app.get(MailQueueWorker).worker!.pause();
    const messages = [1, 2, 3, 4, 5].map((n) => mailMessage(`Waiting ${n}`));
    expect(await mail.send(messages, { using: 'bulk' })).toBe(5);

    await redis.restart();
    expect(await jobs.getJobCounts('waiting')).toEqual({ waiting: 5 });
    app.get(MailQueueWorker).worker!.resume();
    await smtp.waitForMessages(5, 20_000);
    for (const job of await jobs.getJobs())
      await waitForState(jobs, job.id!, 'completed', 20_000);
    await settle();
    expect(smtp.messages.map((m) => m.parsed.subject).sort()).toEqual(
      messages.map((m) => m.subject),
    );
  }, 60_000);

  it('while a worker is mid-job (waiting for the 250): delivered once, and the job completes', async () => {
    let answered = false;
    let holding = false;
    const smtp = await smtpSink({
      onData(_stream: unknown, _session: unknown, callback: () => void) {
        holding = true;
        // Holds the reply until Redis is back.
        const wait = setInterval(() => {
          if (!answered) return;
          clearInterval(wait);
          callback();
        }, 20);
      },
    });
    const { mail, jobs } = await queueApp(redis.port, smtp.port, {
      worker: { lockDuration: 10_000, stalledInterval: 5000 },
    });
    const result = await mail.sendDetailed(mailMessage('Mid-job'), {
      using: 'bulk',
    });
    expect(result.sent).toBe(1);
    await waitFor(() => holding, 10_000, 'the data');
    await redis.restart();
    answered = true;

    const [job] = await jobs.getJobs();
    const done = await waitForState(jobs, job.id!, 'completed', 20_000);
    await settle();
    expect(smtp.messages).toHaveLength(1);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 1 });
    expect(done.progress).toMatchObject({ dataOut: { attempt: 1 } });
  }, 60_000);
});
