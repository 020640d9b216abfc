import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { Queue, type Job } from 'bullmq';
import { Test } from '@nestjs/testing';
import {
  Module,
  type DynamicModule,
  type INestApplicationContext,
} from '@nestjs/common';

import { EmailMessage, MailModule, MailService } from '../../lib/index.js';
import {
  MailQueueWorkerModule,
  queue,
  type MailQueueWorkerOptions,
  type QueueMailerOptions,
} from '../../lib/queue/index.js';
import { startFaultSink, type FaultSinkScript } from '../support/fault-sink.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

export const root = join(import.meta.dirname, '..', '..');

/** Builds `dist` when the worker command is not in it (a spawned worker runs the build). */
export function ensureDist(): void {
  if (!existsSync(join(root, 'dist', 'queue', 'worker.command.js')))
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}

/** A `node dist/cli.js worker` process on the fixture config, and its output. */
export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the worker said it is ready. */
  ready: Promise<void>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Spawns the standalone worker (`nestjs-mail worker`) against the built package. */
export function spawnWorker(env: {
  SMTP_PORT: number;
  REDIS_PORT: number;
  QUEUE_NAME: string;
  SIGNING_SECRET?: string;
}): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist', 'cli.js'),
      'worker',
      '--config',
      join(root, 'test', 'queue', 'fixtures', 'mail-worker.config.mjs'),
    ],
    {
      env: { ...process.env, ...(env as unknown as Record<string, string>) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (text.includes('Press Ctrl+C')) resolve();
    });
    void exited.then(() => reject(new Error(`worker exited: ${text}`)));
  });
  return { child, output: () => text, ready, exited };
}

let queues = 0;
/** A queue name no other test uses. */
export function queueName(): string {
  return `test-${process.pid}-${++queues}`;
}

/** A BullMQ handle on the queue, to inspect jobs. */
export function inspect(port: number, name: string): Queue {
  const queue = new Queue(name, { connection: { host: '127.0.0.1', port } });
  queue.on('error', () => {});
  return queue;
}

/** The only job of the queue. */
export async function onlyJob(queue: Queue): Promise<Job> {
  const jobs = await queue.getJobs();
  if (jobs.length !== 1)
    throw new Error(`expected 1 job, found ${jobs.length}`);
  return jobs[0];
}

/** Polls the job's state until it is `state` (or times out). */
export async function waitForState(
  queue: Queue,
  id: string,
  state: 'completed' | 'failed',
  ms = 10_000,
): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    // A job whose data Redis holds as non-JSON cannot be read until the
    // worker has failed it (and rewritten its data): keep polling.
    const job = await queue.getJob(id).catch(() => undefined);
    // Read the job again once it is there: the first read may predate the
    // worker's write of returnvalue / attemptsMade (a race seen in CI).
    if (job && (await job.getState()) === state)
      return (await queue.getJob(id))!;
    if (Date.now() > deadline)
      throw new Error(
        `job ${id} is ${job ? await job.getState() : 'gone'}, not ${state}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

@Module({})
class QueueTestModule {}

/** A started Nest application with these imports. */
export async function startApp(
  imports: DynamicModule[],
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [{ module: QueueTestModule, imports }],
  }).compile();
  moduleRef.useLogger(false);
  try {
    return await moduleRef.init();
  } catch (err) {
    await moduleRef.close();
    throw err;
  }
}

/** Steps run after each test, last added first. */
export const cleanup: Array<() => Promise<unknown>> = [];

/** Runs and forgets the cleanup steps (for `afterEach`). */
export async function runCleanup(): Promise<void> {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
}

/**
 * The spec file's Redis: started before its tests (after building `dist`
 * when `dist`, for spawned workers), stopped after them. Also runs the
 * {@link cleanup} steps after each test. The returned object gets the
 * server's fields once `beforeAll` has run.
 */
export function useRedis(
  options: { persistent?: boolean; dist?: boolean } = {},
): RedisServer {
  const redis = {} as RedisServer;
  beforeAll(async () => {
    if (options.dist) ensureDist();
    Object.assign(
      redis,
      await startRedisServer({ persistent: options.persistent }),
    );
  }, 120_000);
  afterAll(async () => {
    await redis.stop?.();
  });
  afterEach(runCleanup);
  return redis;
}

/** An SMTP sink (see `startSmtpSink`), closed after the test. */
export async function smtpSink(
  options: Parameters<typeof startSmtpSink>[0] = {},
): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  cleanup.push(() => sink.close());
  return sink;
}

/** A scripted raw SMTP sink (see `startFaultSink`), closed after the test. */
export async function faultSink(script: FaultSinkScript = {}) {
  const sink = await startFaultSink(script);
  cleanup.push(() => sink.close());
  return sink;
}

/** Sink options whose `onData` answers each message with `reply()`: an error (see {@link smtpError}), or null to accept it. */
export function replying(reply: () => Error | null) {
  return {
    onData(
      _stream: unknown,
      _session: unknown,
      callback: (err?: Error | null) => void,
    ) {
      callback(reply());
    },
  };
}

/** A spawned worker on queue `name`, killed (if still running) after the test. */
export function workerOn(
  smtpPort: number,
  redisPort: number,
  name: string,
  extra: { SIGNING_SECRET?: string } = {},
): WorkerProcess {
  const child = spawnWorker({
    SMTP_PORT: smtpPort,
    REDIS_PORT: redisPort,
    QUEUE_NAME: name,
    ...extra,
  });
  cleanup.push(async () => {
    if (child.child.exitCode === null && child.child.signalCode === null)
      child.child.kill('SIGKILL');
    await child.exited;
  });
  return child;
}

/** Kills the worker with SIGKILL and waits until it is gone. */
export async function killHard(worker: WorkerProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/** An app queuing on `bulk` (Redis at `redisPort`) for a default mailer sending to `smtpPort`, with an in-process worker when `worker` is given. */
export async function queueApp(
  redisPort: number,
  smtpPort: number,
  options: Partial<QueueMailerOptions> & {
    worker?: MailQueueWorkerOptions;
  } = {},
): Promise<{
  mail: MailService;
  jobs: Queue;
  app: INestApplicationContext;
  name: string;
}> {
  const { worker, queueName: name = queueName(), ...rest } = options;
  const jobs = inspect(redisPort, name);
  const app = await startApp([
    MailModule.forRoot({
      options: { host: '127.0.0.1', port: smtpPort },
      mailers: {
        bulk: queue({
          connection: { host: '127.0.0.1', port: redisPort },
          queueName: name,
          backoff: 50,
          ...rest,
        }),
      },
    }),
    ...(worker ? [MailQueueWorkerModule.forRoot(worker)] : []),
  ]);
  cleanup.push(
    () => jobs.close(),
    () => app.close(),
  );
  return { mail: app.get(MailService), jobs, app, name };
}

/** A small message with one binary attachment. */
export function mailMessage(subject = 'Queued'): EmailMessage {
  const msg = new EmailMessage(subject, 'Body', 'from@example.com', [
    'to@example.com',
  ]);
  msg.attach('data.bin', Buffer.from([0, 1, 2, 255]));
  return msg;
}

/** Resolves after `ms` (to give a wrong extra delivery time to happen). */
export const settle = (ms = 500) =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** An Error as smtp-server turns it into a reply, e.g. `smtpError(550, 'No such user here')`. */
export function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}
