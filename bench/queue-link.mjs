// `npm run bench:queue-link` (Q2): 2,000 queued messages delivered by 1 and
// by 2 `nestjs-mail worker` processes (`--concurrency 10` each, so up to 10
// pooled connections each), against a direct `sendMassMail(2,000)` with the
// same connection cap (`maxConnections: 10`), over a plain SMTP link with a
// 20 ms round trip (bench/link-sink.mjs in plain mode). Needs redis-server.
//
//   node bench/queue-link.mjs [--quick] [--no-write]
//
// Writes its table into bench/RESULTS.md under "## Q2" (before "## Q").
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
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
const CONNECTIONS = 10;
const RTT = 20;

const redis = await startRedis();
const sink = await startSinkProcess(join(here, 'link-sink.mjs'), [
  String(RTT),
  'plain',
]);
const port = sink.ready;
const untilDelivered = async (count) => {
  while ((await sink.ask('stats')).messages < count) await sleep(5);
};
const rows = [];
try {
  const direct = [];
  const queued = { 1: [], 2: [] };
  for (let rep = 0; rep < REPS; rep++) {
    {
      const { app, mail, jobs } = await producer(redis.port, port, {
        maxConnections: CONNECTIONS,
      });
      for (const [s, b, f, to] of items(`w${rep}`, 5))
        await mail.sendMail(s, b, f, to); // warm-up, one kept connection
      await sink.ask('reset');
      const start = performance.now();
      const sent = await mail.sendMassMail(items(rep, COUNT));
      if (sent !== COUNT) throw new Error(`direct: ${sent} of ${COUNT} sent`);
      direct.push(COUNT / ((performance.now() - start) / 1000));
      console.log(
        `  direct sendMassMail rep ${rep + 1}: ${fmt(direct.at(-1))} msg/s`,
      );
      await jobs.close();
      await app.close();
    }
    for (const n of [1, 2]) {
      const { app, mail, jobs, queueName } = await producer(redis.port, port, {
        maxConnections: CONNECTIONS,
      });
      const procs = queueWorkers(n, {
        smtpPort: port,
        redisPort: redis.port,
        queueName,
        args: ['--concurrency', String(CONNECTIONS)],
      });
      await Promise.all(procs.map((p) => p.ready));
      await sink.ask('reset');
      await mail.sendMassMail(items(`w${rep}`, 5), { using: 'bulk' });
      await untilDelivered(5); // warm-up
      await sink.ask('reset');
      const start = performance.now();
      await mail.sendMassMail(items(rep, COUNT), { using: 'bulk' });
      await untilDelivered(COUNT);
      queued[n].push(COUNT / ((performance.now() - start) / 1000));
      const { connections, peakOpen } = await sink.ask('stats');
      console.log(
        `  ${n} worker(s) rep ${rep + 1}: ${fmt(queued[n].at(-1))} msg/s, ${connections} new connections, peak open ${peakOpen}`,
      );
      await stopWorkers(procs);
      await jobs.obliterate({ force: true });
      await jobs.close();
      await app.close();
    }
  }
  rows.push([
    `direct \`sendMassMail\` (maxConnections ${CONNECTIONS})`,
    direct,
  ]);
  rows.push([`1 worker process (--concurrency ${CONNECTIONS})`, queued[1]]);
  rows.push([
    `2 worker processes (--concurrency ${CONNECTIONS} each)`,
    queued[2],
  ]);
  const one = median(queued[1]);
  rows.targets = [
    ['Q2: 1 worker ≥ 0.8× direct `sendMassMail`', one / median(direct), 0.8],
    ['Q2: 2 workers ≥ 1.6× one worker', median(queued[2]) / one, 1.6],
  ];
} finally {
  sink.stop();
  redis.stop();
}

const section = `## Q2 — queued sending on a link: RTT 20 ms, plain SMTP

Written by \`npm run bench:queue-link\` (bench/queue-link.mjs) on ${new Date().toISOString()} (${cpus().length} × ${cpus()[0].model}, Node ${process.version}, load average (1 min) at the end ${loadavg()[0].toFixed(2)}).
The sink is bench/link-sink.mjs in plain mode (smtp-server behind the 10 ms-each-way proxy); Redis is a local
\`redis-server\`. Direct: \`sendMassMail(${fmt(COUNT)})\` on the default mailer of a Nest app context. Queued: the same
call on a \`queue()\` mailer, delivered by \`nestjs-mail worker --concurrency ${CONNECTIONS}\` processes started and ready
first; the clock runs until the sink has every message (enqueueing included). Everything shares the machine's
${cpus().length} vCPUs.

| what | runs × messages | median msg/s | range |
|---|---|---|---|
${rows
  .map(
    ([what, rates]) =>
      `| ${what} | ${rates.length} × ${fmt(COUNT)} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))} |`,
  )
  .join('\n')}

| target | measured | result |
|---|---|---|
${rows.targets
  .map(
    ([name, ratio, bound]) =>
      `| ${name} | ${fmt(ratio, 2)}× | ${ratio >= bound ? 'pass' : '**fail**'} |`,
  )
  .join('\n')}
`;
console.log(`\n${section}`);
if (write) {
  const path = join(here, 'RESULTS.md');
  const current = readFileSync(path, 'utf8');
  // Q2 goes before bench/queue.mjs's "## Q —" section, which that script
  // rewrites to the end of the file.
  const at = current.indexOf('\n## Q2 —');
  const next = at >= 0 ? current.indexOf('\n## ', at + 1) : -1;
  const without =
    at < 0
      ? current
      : current.slice(0, at) + (next >= 0 ? current.slice(next) : '\n');
  const q = without.indexOf('\n## Q — queued sending');
  writeFileSync(
    path,
    q >= 0
      ? `${without.slice(0, q).trimEnd()}\n\n${section}${without.slice(q)}`
      : `${without.trimEnd()}\n\n${section}`,
  );
  console.log('\nWritten to bench/RESULTS.md');
}
