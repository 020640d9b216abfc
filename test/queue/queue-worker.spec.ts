import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { EmailMessage, MailModule, MailService } from '../../lib/index.js';
import {
  MailQueueWorkerModule,
  queue,
  type QueueMailerOptions,
} from '../../lib/queue/index.js';
import { jobIdOf } from '../../lib/queue/queue.backend.js';
import { startFaultSink } from '../support/fault-sink.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import {
  ensureDist,
  inspect,
  queueName,
  spawnWorker,
  startApp,
  waitForState,
  type WorkerProcess,
  smtpError,
} from './helpers.js';

let redis: RedisServer;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  ensureDist();
  redis = await startRedisServer();
}, 120_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

/** An app whose default mailer sends to `port`, with a queued mailer `bulk` (and a worker when asked). */
async function app(
  port: number,
  options: Partial<QueueMailerOptions> & {
    worker?: boolean;
    name?: string;
  } = {},
): Promise<{
  mail: MailService;
  jobs: Queue;
  app: INestApplicationContext;
  name: string;
}> {
  const { worker, name = queueName(), ...rest } = options;
  const jobs = inspect(redis.port, name);
  const nest = await startApp([
    MailModule.forRoot({
      options: { host: '127.0.0.1', port },
      mailers: {
        bulk: queue({
          connection: { host: '127.0.0.1', port: redis.port },
          queueName: name,
          backoff: 50,
          ...rest,
        }),
      },
    }),
    ...(worker
      ? [
          MailQueueWorkerModule.forRoot({
            lockDuration: 1000,
            stalledInterval: 500,
          }),
        ]
      : []),
  ]);
  cleanup.push(
    () => jobs.close(),
    () => nest.close(),
  );
  return { mail: nest.get(MailService), jobs, app: nest, name };
}

function worker(sink: { port: number }, name: string): WorkerProcess {
  const child = spawnWorker({
    SMTP_PORT: sink.port,
    REDIS_PORT: redis.port,
    QUEUE_NAME: name,
  });
  cleanup.push(async () => {
    if (child.child.exitCode === null && child.child.signalCode === null)
      child.child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

async function sink(options = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanup.push(() => started.close());
  return started;
}

function message(subject = 'Queued'): EmailMessage {
  const msg = new EmailMessage(subject, 'Body', 'from@example.com', [
    'to@example.com',
  ]);
  msg.attach('data.bin', Buffer.from([0, 1, 2, 255]));
  return msg;
}

describe('queued sending with a worker', () => {
  it('delivers, from a worker in another process, what the app queued; sending it again is a duplicate: not queued, not counted', async () => {
    const smtp = await sink();
    const { mail, jobs, name } = await app(smtp.port);
    const msg = message();
    expect(await mail.send(msg, { using: 'bulk' })).toBe(1);

    const child = worker(smtp, name);
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
    const smtp = await sink({
      onData(
        _stream: unknown,
        _session: unknown,
        callback: (err?: Error | null) => void,
      ) {
        callback(++replies === 1 ? smtpError(451, 'Try again later') : null);
      },
    });
    const { mail, jobs } = await app(smtp.port, { worker: true, attempts: 3 });
    await mail.send(message(), { using: 'bulk' });
    await smtp.waitForMessages(1);
    const [job] = await jobs.getJobs();
    const done = await waitForState(jobs, job.id!, 'completed');
    expect(done.attemptsMade).toBe(2);
    expect(done.returnvalue).toMatchObject({ status: 'sent', attempt: 2 });
  });

  it('puts a 550 in the failed set with the SMTP reply, without retrying', async () => {
    const smtp = await sink({
      onData(
        _stream: unknown,
        _session: unknown,
        callback: (err?: Error | null) => void,
      ) {
        callback(smtpError(550, 'No such user here'));
      },
    });
    const { mail, jobs } = await app(smtp.port, { worker: true, attempts: 3 });
    await mail.send(message(), { using: 'bulk' });
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
    const faulty = await startFaultSink({ afterData: () => 'drop' });
    cleanup.push(() => faulty.close());
    const plain = await app(faulty.port, { worker: true, attempts: 3 });
    await plain.mail.send(message(), { using: 'bulk' });
    await waitFor(() => faulty.transactions.length > 0);
    const [job] = await plain.jobs.getJobs();
    const failed = await waitForState(plain.jobs, job.id!, 'failed');
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/^ambiguous: /);

    const opted = await app(faulty.port, {
      worker: true,
      attempts: 2,
      retryAmbiguous: true,
    });
    await opted.mail.send(message('Again'), { using: 'bulk' });
    const [again] = await opted.jobs.getJobs();
    expect(
      (await waitForState(opted.jobs, again.id!, 'failed')).attemptsMade,
    ).toBe(2);
  });

  it('app.close() during a delivery waits for it: nothing is lost', async () => {
    let started = false;
    const smtp = await sink({
      onData(_stream: unknown, _session: unknown, callback: () => void) {
        started = true;
        setTimeout(callback, 800);
      },
    });
    const { mail, jobs, app: nest } = await app(smtp.port, { worker: true });
    await mail.send(message(), { using: 'bulk' });
    await waitFor(() => started);
    await nest.close();
    expect(smtp.messages).toHaveLength(1);
    const [job] = await jobs.getJobs();
    expect(await job.getState()).toBe('completed');
  });

  it('a worker killed mid-job loses nothing: another worker delivers it, once', async () => {
    let mailFroms = 0;
    const smtp = await sink({
      // The first delivery hangs before its data starts; the worker is killed there.
      onMailFrom(_address: unknown, _session: unknown, callback: () => void) {
        if (++mailFroms > 1) callback();
      },
    });
    const { mail, jobs, name } = await app(smtp.port);
    const first = worker(smtp, name);
    await first.ready;
    await mail.send(message(), { using: 'bulk' });
    await waitFor(() => mailFroms === 1, 10_000, 'the first MAIL FROM');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = worker(smtp, name);
    await smtp.waitForMessages(1, 15_000);
    const [job] = await jobs.getJobs();
    await waitForState(jobs, job.id!, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 30_000);
});
