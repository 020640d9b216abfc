import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Test } from '@nestjs/testing';
import {
  Module,
  type DynamicModule,
  type INestApplicationContext,
} from '@nestjs/common';

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
    const job = await queue.getJob(id);
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
