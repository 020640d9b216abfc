// Shared by the queue benchmarks (bench/queue.mjs, bench/queue-link.mjs,
// bench/queue-bulk.mjs): the 1 KB messages, the producer app on the built
// package, and the `nestjs-mail worker` processes.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnWorkers } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

/** The body of every message: 16 lines, 1 KB. */
export const BODY = Array.from({ length: 16 }, (_, i) =>
  `line ${i} `.padEnd(63, 'x'),
).join('\n');

/** `count` `sendMassMail` tuples, one recipient each, subjects `Queued <run>.<i>`. */
export const items = (run, count) =>
  Array.from({ length: count }, (_, i) => [
    `Queued ${run}.${i}`,
    BODY,
    'from@example.com',
    [`to${i}@example.com`],
  ]);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks that `dist/` has the worker command (the workers run the build),
 * and reads the command line `[--quick] [--no-write]`: `COUNT` messages per
 * run, `REPS` runs, and whether to `write` bench/RESULTS.md (not when quick).
 */
export function benchOptions(args = process.argv.slice(2)) {
  if (!existsSync(join(root, 'dist', 'queue', 'worker.command.js')))
    throw new Error('dist/ is missing or old: run `npm run build` first.');
  const quick = args.includes('--quick');
  return {
    write: !quick && !args.includes('--no-write'),
    COUNT: quick ? 200 : 2000,
    REPS: quick ? 1 : 3,
  };
}

let names = 0;
/**
 * A Nest app context on dist/: the default mailer sends to `smtpPort` (with
 * `options` added), `bulk` queues on a new queue in Redis at `redisPort`.
 * Resolves with the app, its `MailService`, the queue's name, and a BullMQ
 * handle `jobs` on it.
 */
export async function producer(redisPort, smtpPort, options = {}) {
  await import('reflect-metadata');
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { Queue } = await import('bullmq');
  const { MailModule, MailService } = await import('../dist/index.js');
  const { queue } = await import('../dist/queue/index.js');
  const queueName = `bench-${process.pid}-${++names}`;
  const connection = { host: '127.0.0.1', port: redisPort };
  class BenchModule {}
  Module({})(BenchModule);
  const app = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        MailModule.forRoot({
          options: { host: '127.0.0.1', port: smtpPort, ...options },
          mailers: { bulk: queue({ connection, queueName }) },
        }),
      ],
    },
    { logger: false },
  );
  const jobs = new Queue(queueName, { connection });
  return { app, mail: app.get(MailService), queueName, jobs };
}

/**
 * `n` worker processes on bench/queue-worker.config.mjs, delivering queue
 * `queueName` from Redis at `redisPort` to `smtpPort`, with the CLI `args`.
 */
export function queueWorkers(n, { smtpPort, redisPort, queueName, args }) {
  return spawnWorkers(n, {
    root,
    config: join(here, 'queue-worker.config.mjs'),
    env: {
      SMTP_PORT: smtpPort,
      REDIS_PORT: redisPort,
      QUEUE_NAME: queueName,
    },
    args,
  });
}

/** Stops the workers (SIGTERM: each finishes its job) and waits until they exited. */
export async function stopWorkers(procs) {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}
