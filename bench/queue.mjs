// Queued sending (issue 8): enqueue rate, and delivery rate with 1 and 2
// worker processes (`nestjs-mail worker`) into the benchmark's SMTP sink.
// Needs redis-server on the PATH and a build (`npm run build`).
//
//   node bench/queue.mjs [--quick] [--no-write]
//
// Writes its table to bench/RESULTS.md under "## Q — queued sending",
// replacing that section (and only it) when it is already there.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, startSinkProcess } from './harness.mjs';
import {
  benchOptions,
  items,
  producer,
  queueWorkers,
  sleep,
  stopWorkers,
} from './queue-harness.mjs';
import { startRedis } from './redis-server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { write, COUNT, REPS } = benchOptions();

const redis = await startRedis();
const sink = await startSinkProcess(join(here, 'sink.mjs'));
const smtpPort = sink.ready.smtp;
const rows = [];
try {
  // Enqueue: one awaited sendMail at a time (per request), and one sendMassMail call.
  for (const [label, run] of [
    [
      '`sendMail` awaited one by one',
      async (mail, i) => {
        for (const [s, b, f, to] of items(i, COUNT))
          await mail.sendMail(s, b, f, to, { using: 'bulk' });
      },
    ],
    [
      '`sendMassMail`, all in one call',
      (mail, i) => mail.sendMassMail(items(i, COUNT), { using: 'bulk' }),
    ],
  ]) {
    const rates = [];
    for (let rep = 0; rep < REPS; rep++) {
      const { app, mail, jobs } = await producer(redis.port, smtpPort);
      await run(mail, `w${rep}`); // warm-up
      await jobs.obliterate({ force: true });
      const start = performance.now();
      await run(mail, rep);
      rates.push(COUNT / ((performance.now() - start) / 1000));
      await jobs.obliterate({ force: true });
      await jobs.close();
      await app.close();
    }
    rows.push([
      `enqueue: ${label}`,
      `${REPS} × ${fmt(COUNT)}`,
      median(rates),
      rates,
    ]);
  }
  // Delivery: workers ready first, then COUNT messages queued at once; time until the sink has them all.
  for (const n of [1, 2]) {
    const rates = [];
    for (let rep = 0; rep < REPS; rep++) {
      const { app, mail, jobs, queueName } = await producer(
        redis.port,
        smtpPort,
      );
      const procs = queueWorkers(n, {
        smtpPort,
        redisPort: redis.port,
        queueName,
      });
      await Promise.all(procs.map((p) => p.ready));
      await sink.ask('reset');
      const start = performance.now();
      await mail.sendMassMail(items(rep, COUNT), { using: 'bulk' });
      while ((await sink.ask('stats')).messages < COUNT) await sleep(5);
      rates.push(COUNT / ((performance.now() - start) / 1000));
      await stopWorkers(procs);
      await jobs.obliterate({ force: true });
      await jobs.close();
      await app.close();
    }
    rows.push([
      `deliver: ${n} worker process${n > 1 ? 'es' : ''} (concurrency 1 each)`,
      `${REPS} × ${fmt(COUNT)}`,
      median(rates),
      rates,
    ]);
  }
} finally {
  sink.stop();
  redis.stop();
}

const table = [
  '| what | runs × messages | median msg/s | range |',
  '|---|---|---|---|',
  ...rows.map(
    ([what, runs, med, rates]) =>
      `| ${what} | ${runs} | ${fmt(med)} | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} |`,
  ),
].join('\n');
const section = `## Q — queued sending: enqueue, and delivery by 1 and 2 worker processes

Written by \`node bench/queue.mjs\` on ${new Date().toISOString()} (${cpus().length} × ${cpus()[0].model}, Node ${process.version}).
Redis is a local \`redis-server\` (no persistence); the sink is bench/sink.mjs (smtp-server) in its own process.
Enqueue: a Nest app context with a queued mailer (\`queue()\`), 1 KB messages, one recipient; each job is the whole
serialised message. Delivery: \`nestjs-mail worker\` processes, started and ready first; then the messages are
queued with one \`sendMassMail\` call and the clock runs until the sink has received them all (enqueueing included).
Load average (1 min) at the end: ${loadavg()[0].toFixed(2)} on ${cpus().length} vCPUs, shared by the workers, Redis, the sink,
the producer and any other work: where that is above the vCPU count, the delivery rows are CPU-bound, and a second
worker process cannot add throughput; compare them on a machine with free cores.

${table}
`;
console.log(`\n${section}`);
if (write) {
  const path = join(here, 'RESULTS.md');
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf('\n## Q — queued sending');
  writeFileSync(
    path,
    `${(at >= 0 ? current.slice(0, at) : current).trimEnd()}\n\n${section}`,
  );
}
