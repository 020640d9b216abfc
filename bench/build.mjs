// `npm run bench:build`: CPU to build one message's bytes, nestjs-mail
// (`message().asBytes()`) against nodemailer's MailComposer
// (`compile().build()`), in the same run, three shapes. Every (contender,
// shape, repetition) is a fresh process: a warm-up, then the timed part;
// client CPU is user + system time of that process over the timed part.
// Writes the "B — build" section of bench/RESULTS.md (bench/run.mjs keeps it).
//
//   node bench/build.mjs [--quick] [--no-write]
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  LINE,
  benchArgs,
  body,
  fmt,
  median,
  privateDist,
  writeSection,
} from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const SHAPES = {
  text: '1 KB text',
  alternative: 'text + HTML alternative',
  pdf: 'text + HTML + 20 KB PDF',
};
const NM = 'nestjs-mail';
const COMPOSER = 'nodemailer MailComposer';

const html = (i) =>
  `<html><body><h1>Message ${i}</h1>${Array.from({ length: 12 }, () => `<p>${LINE}</p>`).join('\n')}</body></html>\n`;
// A fixed 20 KB "PDF": bytes of every value, so base64 does real work.
const PDF = Buffer.from(
  Array.from({ length: 20 * 1024 }, (_, i) => (i * 7919) % 256),
);

/** One timed run, in this (child) process. */
async function child({ contender, shape, count, warmup }) {
  let build;
  if (contender === NM) {
    const { EmailMultiAlternatives } = await import(
      pathToFileURL(join(here, '.dist-build', 'index.js')).href
    );
    build = (i) => {
      const msg = new EmailMultiAlternatives(
        `Benchmark message ${i}`,
        body(i),
        'sender@example.com',
        [`user${i}@example.com`],
      );
      if (shape !== 'text') msg.attachAlternative(html(i), 'text/html');
      if (shape === 'pdf') msg.attach('report.pdf', PDF, 'application/pdf');
      return msg.message().asBytes();
    };
  } else {
    const { default: MailComposer } =
      await import('nodemailer/lib/mail-composer');
    build = (i) => {
      const mail = {
        from: 'sender@example.com',
        to: `user${i}@example.com`,
        subject: `Benchmark message ${i}`,
        text: body(i),
      };
      if (shape !== 'text') mail.html = html(i);
      if (shape === 'pdf')
        mail.attachments = [
          {
            filename: 'report.pdf',
            content: PDF,
            contentType: 'application/pdf',
          },
        ];
      return new MailComposer(mail).compile().build();
    };
  }
  let bytes = 0;
  for (let i = 0; i < warmup; i++) bytes += (await build(i)).length;
  globalThis.gc?.();
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) bytes += (await build(i)).length;
  const used = process.cpuUsage(start);
  process.send({ cpuUs: (used.user + used.system) / count, bytes });
}

if (process.argv[2]?.startsWith('{')) {
  await child(JSON.parse(process.argv[2]));
  process.exit(0);
}

// ---------------------------------------------------------------------------

// Its own copy of the build, so that it can run beside bench/run.mjs.
privateDist(here, root, 'bench:build', '.dist-build');
const { quick, write } = benchArgs();
const count = quick ? 300 : 3000;
// Long enough for V8 to finish optimizing both contenders: its compiler
// threads count in process CPU, so a short warm-up measures the JIT instead.
const warmup = quick ? 100 : 10_000;
const reps = quick ? 1 : 3;

const run = (job) =>
  new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [JSON.stringify(job)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result;
    proc.on('message', (msg) => (result = msg));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`exit ${code}`)),
    );
  });

const results = {};
for (const shape of Object.keys(SHAPES)) {
  results[shape] = { [NM]: [], [COMPOSER]: [] };
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 ? [COMPOSER, NM] : [NM, COMPOSER];
    for (const contender of order) {
      const { cpuUs } = await run({ contender, shape, count, warmup });
      results[shape][contender].push(cpuUs);
      console.log(
        `${SHAPES[shape].padEnd(26)} ${contender.padEnd(24)} rep ${rep + 1}: ${fmt(cpuUs, 1)} µs/msg`,
      );
    }
  }
}

const lines = [
  '## B — build: CPU to build one message (`message().asBytes()` vs `MailComposer`)',
  '',
  `Written by \`npm run build && node bench/build.mjs\` on ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average (1 min) ${loadavg()[0].toFixed(2)} at the end.`,
  `Each row: ${reps} fresh processes per contender, alternating, each ${fmt(warmup)} messages of warm-up (so that V8's optimizing compiler, whose threads count in process CPU, is done) then ${fmt(count)} timed; client CPU (user + system) per message, median of the runs (range). nestjs-mail: \`new EmailMultiAlternatives(...)\`, \`attachAlternative\`, \`attach\`, then \`message().asBytes()\` (LF line ends, as Django's \`as_bytes()\`); MailComposer: \`new MailComposer(mail).compile().build()\` (CRLF). Same subject, 1 KB body, ~1 KB HTML, 20 KB attachment.`,
  '',
  '| shape | nestjs-mail µs/msg | MailComposer µs/msg | ratio | target ≤ 0.25× |',
  '|---|---|---|---|---|',
];
for (const [shape, title] of Object.entries(SHAPES)) {
  const ours = results[shape][NM];
  const theirs = results[shape][COMPOSER];
  const ratio = median(ours) / median(theirs);
  lines.push(
    `| ${title} | ${fmt(median(ours), 1)} (${fmt(Math.min(...ours), 1)}–${fmt(Math.max(...ours), 1)}) | ${fmt(median(theirs), 1)} (${fmt(Math.min(...theirs), 1)}–${fmt(Math.max(...theirs), 1)}) | **${fmt(ratio, 3)}×** | ${ratio <= 0.25 ? 'pass' : '**fail**'} |`,
  );
}
const section = lines.join('\n') + '\n';
console.log(`\n${section}`);
if (write) {
  writeSection(join(here, 'RESULTS.md'), 'B — build', section);
  console.log('Written to bench/RESULTS.md');
}
