// Producer memory of one bulk send through a queued mailer (issue 18 point 7,
// issue 16 point 6d), and delivery of that backlog by workers started after.
// Needs redis-server on the PATH and a build (`npm run build`).
//
//   node bench/queue-bulk.mjs [--count 50000] [--dist <dir>] [--deliver]
//
// For each way of sending (`send(all)` in one call, `send(one)` awaited one by
// one) a fresh producer process builds `count` 1 KB messages, then sends them
// while no worker runs; the figure is its peak RSS growth during the send
// (VmHWM, reset just before), so the messages themselves are not counted.
// `--dist` runs the producer on another build (e.g. an older commit's dist/)
// to compare. `--deliver` then starts two `nestjs-mail worker` processes on
// the backlog of the bulk send and waits until the sink has every message,
// checking that it got each exactly once.
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSinkProcess } from './harness.mjs';
import { BODY, queueWorkers, sleep, stopWorkers } from './queue-harness.mjs';
import { startRedis } from './redis-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '50000' },
    dist: { type: 'string', default: join(here, '..', 'dist') },
    deliver: { type: 'boolean', default: false },
    producer: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const DIST = resolve(values.dist);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function vmHwm() {
  const match = readFileSync('/proc/self/status', 'utf8').match(
    /VmHWM:\s+(\d+) kB/,
  );
  return Number(match[1]) * 1024;
}

/** Child mode: one producer process, one way of sending; reports over IPC. */
async function producer(mode) {
  await import('reflect-metadata');
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const core = await import(pathToFileURL(join(DIST, 'index.js')).href);
  const { EmailMessage, MailModule, MailService } = core;
  // An older dist (--dist) exported queue() from its main entry.
  const { queue } =
    'queue' in core
      ? core
      : await import(pathToFileURL(join(DIST, 'queue', 'index.js')).href);
  class BenchModule {}
  Module({})(BenchModule);
  const app = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        MailModule.forRoot({
          backend: 'dummy',
          mailers: {
            bulk: queue({
              connection: {
                host: '127.0.0.1',
                port: Number(process.env.REDIS_PORT),
              },
              queueName: process.env.QUEUE_NAME,
            }),
          },
        }),
      ],
    },
    { logger: false },
  );
  const mail = app.get(MailService);
  const messages = Array.from(
    { length: COUNT },
    (_, i) =>
      new EmailMessage(`Bulk ${i}`, BODY, 'from@example.com', [
        `to${i}@example.com`,
      ]),
  );
  global.gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = process.memoryUsage.rss();
  const start = performance.now();
  let sent = 0;
  if (mode === 'bulk') sent = await mail.send(messages, { using: 'bulk' });
  else for (const m of messages) sent += await mail.send(m, { using: 'bulk' });
  const seconds = (performance.now() - start) / 1000;
  const growth = vmHwm() - before;
  await app.close();
  process.send({ sent, growth, seconds });
}

function run(mode, env) {
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--producer', mode, '--count', String(COUNT), '--dist', DIST],
    { env: { ...process.env, ...env }, execArgv: ['--expose-gc'] },
  );
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once(
      'exit',
      (code) => code && reject(new Error(`producer: ${code}`)),
    );
  });
}

async function deliver(redisPort, queueName) {
  const sink = await startSinkProcess(join(here, 'sink.mjs'));
  const stats = () => sink.ask('stats');
  const start = performance.now();
  const workers = queueWorkers(2, {
    smtpPort: sink.ready.smtp,
    redisPort,
    queueName,
  });
  while ((await stats()).messages < COUNT) await sleep(200);
  const seconds = (performance.now() - start) / 1000;
  await sleep(2000);
  const { messages } = await stats();
  const { Queue } = await import('bullmq');
  const jobs = new Queue(queueName, {
    connection: { host: '127.0.0.1', port: redisPort },
  });
  const counts = await jobs.getJobCounts('completed', 'failed', 'waiting');
  await jobs.close();
  await stopWorkers(workers);
  sink.stop();
  return { messages, counts, seconds };
}

if (values.producer) {
  await producer(values.producer);
} else {
  const redis = await startRedis();
  try {
    console.log(
      `producer: ${DIST}, ${COUNT.toLocaleString('en-US')} messages, workers down`,
    );
    let bulkQueue;
    for (const mode of ['one-by-one', 'bulk']) {
      const queueName = `bulk-${mode}-${Date.now()}`;
      const { sent, growth, seconds } = await run(mode, {
        REDIS_PORT: String(redis.port),
        QUEUE_NAME: queueName,
      });
      if (mode === 'bulk') bulkQueue = queueName;
      console.log(
        `${mode === 'bulk' ? 'send(all) in one call' : 'send(one) awaited one by one'}: ` +
          `returned ${sent}, peak RSS growth ${mb(growth)}, ${seconds.toFixed(1)} s`,
      );
    }
    if (values.deliver) {
      const { messages, counts, seconds } = await deliver(
        redis.port,
        bulkQueue,
      );
      console.log(
        `2 workers started on the backlog: sink received ${messages}, jobs ${JSON.stringify(counts)}, ${seconds.toFixed(1)} s`,
      );
    }
  } finally {
    redis.stop();
  }
}
