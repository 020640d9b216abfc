// One timed run of one contender in one scenario, in a fresh process (so every
// run starts from the same heap and its peak RSS is its own). Started by
// bench/run.mjs with the job as JSON in argv[2]; answers over IPC with
// { ms, messages, rssBefore, peakRssGrowth }.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { body, injectedService } from './harness.mjs';

const job = JSON.parse(process.argv[2]);
const { scenario, contender, host, port, count, file, warmup } = job;

const FROM = 'sender@example.com';
const subject = (i) => `Benchmark message ${i}`;
const to = (i) => `user${i}@example.com`;

// ---------------------------------------------------------------------------
// Memory: peak RSS growth over the measured section. Linux gives an exact
// high-water mark (VmHWM, reset by writing 5 to clear_refs); elsewhere, and
// as a cross-check, rss is sampled every 10 ms.

function status(field) {
  try {
    const match = readFileSync('/proc/self/status', 'utf8').match(
      new RegExp(`${field}:\\s+(\\d+) kB`),
    );
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function startMemory() {
  globalThis.gc?.();
  let hwmReset = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    hwmReset = true;
  } catch {
    // not Linux, or not allowed: sampling only
  }
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return {
    before,
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      const hwm = hwmReset ? status('VmHWM') : undefined;
      return Math.max(peak, hwm ?? 0) - before;
    },
  };
}

// ---------------------------------------------------------------------------
// Contenders: { prepare(n), bulk(input), perRequest(n), attachment(path), close() }.

const transportOptions = { host, port, secure: false, ignoreTLS: true };

async function nodemailerPool(maxConnections, allAtOnce = maxConnections > 1) {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    ...transportOptions,
    pool: true,
    maxConnections,
    // One reused connection per slot: the default (reconnect every 100
    // messages) would pay smtp-server's 100 ms greeting delay again and again.
    maxMessages: Infinity,
  });
  const mail = (i) => ({
    from: FROM,
    to: to(i),
    subject: subject(i),
    text: body(i),
  });
  const prepare = (n) => Array.from({ length: n }, (_, i) => mail(i));
  const sequential = async (mails) => {
    for (const m of mails) await transport.sendMail(m);
  };
  const burst = async (mails) => {
    await Promise.all(mails.map((m) => transport.sendMail(m)));
  };
  const bulk = allAtOnce ? burst : sequential;
  return {
    prepare,
    bulk,
    async perRequest(n) {
      for (let i = 0; i < n; i++) await transport.sendMail(mail(i));
    },
    async attachment(path) {
      await transport.sendMail({
        ...mail(0),
        attachments: [{ filename: basename(path), path }],
      });
    },
    close: async () => transport.close(),
  };
}

async function nestjsMail(backendOptions = {}) {
  const { MailModule, MailService, EmailMessage } =
    await import('./.dist/index.js');
  // The controller pattern: a provider that gets MailService injected.
  const { app, service: mail } = await injectedService(
    [
      MailModule.forRoot({
        backend: 'smtp',
        options: { host, port, ...backendOptions },
        defaultFromEmail: FROM,
      }),
    ],
    MailService,
  );
  return {
    prepare: (n) =>
      Array.from({ length: n }, (_, i) => [subject(i), body(i), FROM, [to(i)]]),
    bulk: (datatuple) => mail.sendMassMail(datatuple),
    async perRequest(n) {
      for (let i = 0; i < n; i++)
        await mail.sendMail(subject(i), body(i), FROM, [to(i)]);
    },
    async attachment(path) {
      const msg = new EmailMessage(subject(0), body(0), FROM, [to(0)]);
      msg.attachFile(path);
      await mail.send(msg);
    },
    async attachmentRead(path) {
      // What attachFile did before streaming: the whole file in a Buffer.
      const msg = new EmailMessage(subject(0), body(0), FROM, [to(0)]);
      msg.attach(
        basename(path),
        readFileSync(path),
        'application/octet-stream',
      );
      await mail.send(msg);
    },
    close: () => app.close(),
  };
}

async function nestjsModulesMailer() {
  const { MailerModule, MailerService } =
    await import('@nestjs-modules/mailer');
  const { app, service: mailer } = await injectedService(
    [
      // Its default configuration: a transport object (nodemailer's
      // non-pooled SMTP transport, one connection per message).
      MailerModule.forRoot({
        transport: { host, port, secure: false, ignoreTLS: true },
        defaults: { from: FROM },
      }),
    ],
    MailerService,
  );
  const sequential = async (n) => {
    for (let i = 0; i < n; i++)
      await mailer.sendMail({ to: to(i), subject: subject(i), text: body(i) });
  };
  return {
    // No bulk API: the loop a controller or a job would run.
    prepare: (n) => n,
    bulk: sequential,
    perRequest: sequential,
    async attachment(path) {
      await mailer.sendMail({
        to: to(0),
        subject: subject(0),
        text: body(0),
        attachments: [{ filename: basename(path), path }],
      });
    },
    close: () => app.close(),
  };
}

const factories = {
  'nestjs-mail': nestjsMail,
  'nestjs-mail (attach Buffer)': nestjsMail,
  'nestjs-mail concurrency(5)': () => nestjsMail({ concurrency: 5 }),
  'nodemailer pool(1)': () => nodemailerPool(1),
  'nodemailer pool(5)': () => nodemailerPool(5),
  'nodemailer pool(1) all at once': () => nodemailerPool(1, true),
  '@nestjs-modules/mailer': nestjsModulesMailer,
};

// ---------------------------------------------------------------------------

const impl = await factories[contender]();
// Warm-up (JIT, and the connection of the contenders that keep one open).
if (warmup) await impl.bulk(impl.prepare(warmup));

// Inputs are built before the measurement: the caller's data is not the library's memory.
const input = scenario === 'bulk' ? impl.prepare(count) : undefined;
const measured = {
  bulk: () => impl.bulk(input),
  request: () => impl.perRequest(count),
  attachment: () =>
    contender === 'nestjs-mail (attach Buffer)'
      ? impl.attachmentRead(file)
      : impl.attachment(file),
}[scenario];

// Wait for the orchestrator to snapshot the sink's counters.
await new Promise((resolve) => {
  process.once('message', resolve);
  process.send({ ready: true });
});
const memory = startMemory();
const cpuBefore = process.cpuUsage();
const start = performance.now();
await measured();
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
const peakRssGrowth = memory.stop();
await impl.close();
process.send(
  {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    messages: scenario === 'attachment' ? 1 : count,
    rssBefore: memory.before,
    peakRssGrowth,
  },
  () => process.exit(0),
);
