// `npm run bench`: nestjs-mail against nodemailer and @nestjs-modules/mailer,
// in the same run, alternating, several repetitions each; prints the table
// and writes it to bench/RESULTS.md.
//
//   node bench/run.mjs [--quick] [--only P1,P3] [--prof] [--no-write]
//
// --quick    a smoke run (small counts, one repetition; RESULTS.md untouched)
// --only     run some scenarios only (RESULTS.md untouched)
// --prof     also write V8 CPU profiles of every run to bench/profiles/
//            (summarise them with `node bench/profile-summary.mjs bench/profiles`)
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import {
  cpus,
  freemem,
  loadavg,
  platform,
  release,
  tmpdir,
  totalmem,
} from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchArgs,
  fmt,
  median,
  privateDist,
  runWorkerProcess,
  startSinkProcess,
} from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// The baselines live in bench/package.json (pinned by bench/package-lock.json),
// outside the root install: installed here on the first run.
if (
  !existsSync(
    join(here, 'node_modules', '@nestjs-modules', 'mailer', 'package.json'),
  )
) {
  console.log(
    'Installing the benchmark baselines into bench/node_modules (first run)...',
  );
  const npm = spawnSync(
    'npm',
    ['ci', '--no-audit', '--no-fund', '--legacy-peer-deps', '--omit=optional'],
    { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' },
  );
  if (npm.status !== 0) throw new Error('npm ci in bench/ failed');
}
privateDist(here, root, 'bench');
const { args, quick, only, write } = benchArgs();
const prof = args.includes('--prof');

const NM = 'nestjs-mail';
const POOL1 = 'nodemailer pool(1)';
const POOL5 = 'nodemailer pool(5)';
const POOL1_ALL = 'nodemailer pool(1) all at once';
const INCUMBENT = '@nestjs-modules/mailer';
const BEFORE = 'nestjs-mail (attach Buffer)';
const NM5 = 'nestjs-mail concurrency(5)';

/**
 * Scenarios. `count` is messages per run; a contender may override count and
 * reps (the incumbent pays smtp-server's 100 ms greeting per message, so it
 * gets a capped count and its msg/s is computed from that).
 */
const SCENARIOS = [
  {
    id: 'P1',
    title: 'bulk: 2,000 × 1 KB messages, one recipient each (`sendMassMail`)',
    scenario: 'bulk',
    sink: 'smtp',
    count: 2000,
    reps: 5,
    warmup: 100,
    contenders: [
      NM,
      NM5,
      POOL1,
      POOL1_ALL,
      POOL5,
      [INCUMBENT, { count: 20, warmup: 2 }],
    ],
    notes:
      "nestjs-mail: `MailService.sendMassMail` in a Nest app context, default options (a pool of up to 10 connections, opened by the warm-up and kept by the module's mailer); concurrency(5): the same with `options: { concurrency: 5 }` (the deprecated alias of `maxConnections: 5`). nodemailer pool(1): `sendMail` awaited one by one; pool(1) all at once and pool(5): all at once (`Promise.all`); both `maxMessages: Infinity` (one reused connection per slot). @nestjs-modules/mailer has no bulk API: `sendMail` awaited one by one. The ratio column divides nestjs-mail with default options by each contender; the concurrency(5) row shows its ratio to nodemailer pool(5).",
  },
  {
    id: 'P1r',
    title:
      'bulk against the raw sink (protocol floor: immediate greeting, minimal server CPU)',
    scenario: 'bulk',
    sink: 'raw',
    count: 2000,
    reps: 3,
    warmup: 100,
    contenders: [NM, NM5, POOL1, POOL5],
  },
  {
    id: 'P2',
    title:
      'per request: 500 × `sendMail` awaited one after another through an injected service',
    scenario: 'request',
    sink: 'smtp',
    count: 500,
    reps: 5,
    warmup: 50,
    contenders: [NM, POOL1, [INCUMBENT, { count: 20, warmup: 2 }]],
    notes:
      "nestjs-mail: `MailService.sendMail` injected into a provider of a Nest app context (the default mailer keeps its connection open). @nestjs-modules/mailer: `MailerService.sendMail` injected the same way, default configuration (non-pooled transport: a connection, and smtp-server's 100 ms greeting, per message).",
  },
  {
    id: 'P3',
    title:
      'big attachment: one message with a 50 MB file (`attachFile`), over SMTP',
    scenario: 'attachment',
    sink: 'smtp',
    count: 1,
    reps: 3,
    warmup: 2,
    contenders: [NM, BEFORE, POOL1, INCUMBENT],
    notes:
      'nestjs-mail: `msg.attachFile(path)` then `MailService.send(msg)`. "attach Buffer": `attach(name, readFileSync(path))`, what attachFile did before it streamed. nodemailer and @nestjs-modules/mailer: `attachments: [{ path }]` (streamed by nodemailer).',
  },
  {
    id: 'P4',
    title: 'many messages: 10,000 × 1 KB in one `sendMassMail`',
    scenario: 'bulk',
    sink: 'smtp',
    count: 10000,
    reps: 3,
    warmup: 100,
    contenders: [NM, NM5, POOL1, POOL1_ALL, POOL5],
    notes:
      "Inputs (datatuple, message objects) are built before the measurement starts in every contender. @nestjs-modules/mailer is left out (10,000 connections ≈ 17 minutes at smtp-server's 100 ms greeting).",
  },
].filter((s) => !only || only.includes(s.id));

if (quick) {
  for (const s of SCENARIOS) {
    s.reps = 1;
    s.count = Math.min(s.count, s.scenario === 'attachment' ? 1 : 200);
    s.warmup = Math.min(s.warmup, 10);
  }
}

const ATTACHMENT_MB = quick ? 5 : 50;

// ---------------------------------------------------------------------------

function versionOf(name, from = root) {
  for (const base of [join(from, 'node_modules'), join(here, 'node_modules')]) {
    try {
      return JSON.parse(readFileSync(join(base, name, 'package.json'), 'utf8'))
        .version;
    } catch {
      // try the next place
    }
  }
  return 'not installed';
}

function gitRevision() {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], {
      cwd: root,
    })
      .toString()
      .trim();
    return dirty ? `${rev} + uncommitted changes in lib/` : rev;
  } catch {
    return 'unknown';
  }
}

async function startSink() {
  const { ready, ask, stop } = await startSinkProcess(join(here, 'sink.mjs'));
  return { ports: ready, stats: () => ask('stats'), stop };
}

function runWorker(job, sink) {
  const execArgv = ['--expose-gc'];
  if (prof) {
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${join(here, 'profiles')}`,
      `--cpu-prof-name=${job.id}-${job.contender.replace(/\W+/g, '_')}-${job.rep}.cpuprofile`,
    );
  }
  return runWorkerProcess(join(here, 'worker.mjs'), job, {
    execArgv,
    before: () => sink.stats(),
    after: async (msg, before) => {
      const after = await sink.stats();
      return {
        ...msg,
        delivered: after.messages - before.messages,
        connections: after.connections - before.connections,
      };
    },
  });
}

const mb = (bytes) => fmt(bytes / 2 ** 20, 1);

// ---------------------------------------------------------------------------

const started = Date.now();
const sink = await startSink();
const dir = mkdtempSync(join(tmpdir(), 'nestjs-mail-bench-'));
const bigFile = join(dir, 'big-attachment.bin');
{
  const fd = openSync(bigFile, 'w');
  for (let i = 0; i < ATTACHMENT_MB; i++) writeSync(fd, randomBytes(2 ** 20));
  closeSync(fd);
}

const results = [];
try {
  for (const s of SCENARIOS) {
    const contenders = s.contenders.map((c) => {
      const [name, overrides = {}] = Array.isArray(c) ? c : [c];
      return {
        name,
        count: quick
          ? Math.min(s.count, overrides.count ?? s.count)
          : (overrides.count ?? s.count),
        reps: overrides.reps ?? s.reps,
        warmup: overrides.warmup ?? s.warmup,
        runs: [],
      };
    });
    console.log(`\n${s.id} ${s.title}`);
    const maxReps = Math.max(...contenders.map((c) => c.reps));
    for (let rep = 0; rep < maxReps; rep++) {
      // Alternate, and rotate who goes first.
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + rep) % contenders.length];
        if (rep >= c.reps) continue;
        const run = await runWorker(
          {
            id: s.id,
            rep,
            scenario: s.scenario,
            contender: c.name,
            host: '127.0.0.1',
            port: sink.ports[s.sink],
            count: c.count,
            warmup: c.warmup,
            file: bigFile,
          },
          sink,
        );
        if (run.delivered !== run.messages) {
          throw new Error(
            `${s.id} ${c.name}: the sink got ${run.delivered} messages, expected ${run.messages}`,
          );
        }
        run.msgPerSec = run.messages / (run.ms / 1000);
        run.cpuUsPerMsg = (run.cpuMs * 1000) / run.messages;
        c.runs.push(run);
        console.log(
          `  ${c.name.padEnd(28)} rep ${rep + 1}: ${fmt(run.msgPerSec, s.scenario === 'attachment' ? 2 : 0).padStart(7)} msg/s` +
            `  ${fmt(run.ms).padStart(6)} ms  CPU ${fmt(run.cpuUsPerMsg).padStart(5)} µs/msg  peak RSS +${mb(run.peakRssGrowth)} MB  connections ${run.connections}`,
        );
      }
    }
    results.push({ ...s, contenders });
  }
} finally {
  sink.stop();
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------
// The table.

const lines = [];
const out = (line = '') => lines.push(line);
const summary = (c) => ({
  rate: median(c.runs.map((r) => r.msgPerSec)),
  min: Math.min(...c.runs.map((r) => r.msgPerSec)),
  max: Math.max(...c.runs.map((r) => r.msgPerSec)),
  ms: median(c.runs.map((r) => r.ms)),
  rss: median(c.runs.map((r) => r.peakRssGrowth)),
  rssMax: Math.max(...c.runs.map((r) => r.peakRssGrowth)),
  connections: median(c.runs.map((r) => r.connections)),
  cpu: median(c.runs.map((r) => r.cpuUsPerMsg)),
});

out('# Benchmark results');
out();
out(
  `Written by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString()}, ${fmt((Date.now() - started) / 1000)} s for the whole run.`,
);
out();
const cpu = cpus();
out(
  `- Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM (${fmt(freemem() / 2 ** 30, 1)} GiB free), ${platform()} ${release()}`,
);
out(
  `- Node ${process.version}; nestjs-mail ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (dist/ built from ${gitRevision()})`,
);
out(
  `- nodemailer ${versionOf('nodemailer')}, smtp-server ${versionOf('smtp-server')}, @nestjs/core ${versionOf('@nestjs/core')}, @nestjs-modules/mailer ${versionOf('@nestjs-modules/mailer', here)} (on the same nodemailer)`,
);
out(
  "- Client and sink are separate processes on loopback; the sink is smtp-server (auth optional, STARTTLS hidden, reverse lookup off, data drained) unless noted. Every run is a fresh process: warm-up first, then the timed part; peak RSS growth is the kernel's high-water mark (VmHWM, reset before the timed part) minus RSS at its start.",
);
out(
  `- Load average (1 min) at the end: ${loadavg()[0].toFixed(2)}; other work on the machine shows as spread between repetitions. Client CPU (user + system of the client process over the timed part) is the least noisy column.`,
);
out(
  '- Message: 1 KB plain-text body (16 lines), subject, from, one recipient. Contenders alternate within each repetition; medians over the repetitions; the range is min–max.',
);
out();

const targets = [];
for (const s of results) {
  const byName = new Map(s.contenders.map((c) => [c.name, summary(c)]));
  const ours = byName.get(NM);
  out(`## ${s.id} — ${s.title}`);
  out();
  if (s.notes) {
    out(s.notes);
    out();
  }
  const cpuUnit = s.scenario === 'attachment' ? 'ms' : 'µs/msg';
  out(
    `| contender | runs × messages | median msg/s | range | nestjs-mail ÷ this | client CPU, ${cpuUnit} | peak RSS growth, median (max) | new connections per run |`,
  );
  out(`|---|---|---|---|---|---|---|---|`);
  for (const c of s.contenders) {
    const m = byName.get(c.name);
    const digits = s.scenario === 'attachment' ? 2 : 0;
    const ratio =
      c.name === NM
        ? '—'
        : c.name === NM5
          ? byName.has(POOL5)
            ? `÷ pool(5): **${fmt(m.rate / byName.get(POOL5).rate, 2)}×**`
            : '—'
          : `**${fmt(ours.rate / m.rate, 2)}×**`;
    out(
      `| ${c.name} | ${c.runs.length} × ${fmt(c.count)} | ${fmt(m.rate, digits)} | ${fmt(m.min, digits)}–${fmt(m.max, digits)} | ${ratio} | ${fmt(s.scenario === 'attachment' ? m.cpu / 1000 : m.cpu)} | ${mb(m.rss)} MB (${mb(m.rssMax)} MB) | ${fmt(m.connections)} |`,
    );
  }
  if (s.scenario === 'attachment') {
    out();
    out(
      `Median time for the ${ATTACHMENT_MB} MB message: ${s.contenders.map((c) => `${c.name} ${fmt(byName.get(c.name).ms)} ms`).join(', ')}.`,
    );
  }
  out();
  const ratioTo = (name) =>
    byName.has(name) ? ours.rate / byName.get(name).rate : NaN;
  if (s.id === 'P1') {
    targets.push([
      'P1 ≥ 1.0× nodemailer pool(1)',
      ratioTo(POOL1),
      ratioTo(POOL1) >= 1.0,
      `${fmt(ratioTo(POOL1), 2)}×`,
    ]);
    const parallel = byName.has(NM5)
      ? byName.get(NM5).rate / byName.get(POOL5).rate
      : NaN;
    targets.push([
      'P1 ≥ 1.0× nodemailer pool(5) (with a concurrency option)',
      parallel,
      parallel >= 1.0,
      `${fmt(parallel, 2)}× with \`concurrency: 5\` (${fmt(ratioTo(POOL5), 2)}× on one connection)`,
    ]);
  }
  if (s.id === 'P1' && byName.has(POOL1_ALL))
    targets.push([
      'P1 ≥ 1.3× nodemailer pool(1) all at once (issue 14)',
      ratioTo(POOL1_ALL),
      ratioTo(POOL1_ALL) >= 1.3,
      `${fmt(ratioTo(POOL1_ALL), 2)}×`,
    ]);
  if (s.id === 'P2') {
    const incumbent = byName.get(INCUMBENT);
    const floor = byName.get(POOL1);
    targets.push([
      'P2 ≥ 100× @nestjs-modules/mailer',
      ratioTo(INCUMBENT),
      ratioTo(INCUMBENT) >= 100,
      `${fmt(ratioTo(INCUMBENT), 1)}×; 100× means ≥ ${fmt(100 * incumbent.rate)} msg/s awaited one by one, and nodemailer pool(1) itself does ${fmt(floor.rate)} (${fmt(floor.rate / incumbent.rate, 1)}×): the incumbent spends ${fmt(1000 / incumbent.rate)} ms a message, 100 of them in smtp-server's greeting delay`,
    ]);
    targets.push([
      'P2 ≥ 0.9× nodemailer pool(1)',
      ratioTo(POOL1),
      ratioTo(POOL1) >= 0.9,
      `${fmt(ratioTo(POOL1), 2)}×`,
    ]);
  }
  if (s.id === 'P3')
    targets.push([
      'P3 peak RSS growth ≤ 32 MB',
      ours.rssMax,
      ours.rssMax <= 32 * 2 ** 20,
      `${mb(ours.rssMax)} MB (max of runs)`,
    ]);
  if (s.id === 'P4')
    targets.push([
      'P4 peak RSS growth ≤ 100 MB',
      ours.rssMax,
      ours.rssMax <= 100 * 2 ** 20,
      `${mb(ours.rssMax)} MB (max of runs), ${fmt(ours.rate)} msg/s`,
    ]);
}

if (targets.length) {
  out('## Targets (issue 6)');
  out();
  out('| target | measured | result |');
  out('|---|---|---|');
  for (const [name, , pass, shown] of targets)
    out(`| ${name} | ${shown} | ${pass ? 'pass' : '**fail**'} |`);
  out();
}

const text = lines.join('\n');
console.log(`\n${text}`);
if (write) {
  // Keep the sections that bench/link.mjs (P5–P6), bench/queue-link.mjs (Q2),
  // bench/build.mjs (B) and bench/queue.mjs (Q) write.
  const path = join(here, 'RESULTS.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const kept = [
    '\n## P5–P6',
    '\n## Q2 —',
    '\n## B — build',
    '\n## Q — queued sending',
  ]
    .map((heading) => previous.indexOf(heading))
    .filter((at) => at >= 0);
  writeFileSync(
    path,
    kept.length
      ? `${text.trimEnd()}\n${previous.slice(Math.min(...kept))}`
      : text,
  );
  console.log('\nWritten to bench/RESULTS.md');
}
