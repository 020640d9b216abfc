// One timed run of one contender of bench/link.mjs, in a fresh process.
// argv[2]: the job as JSON. Answers over IPC with { ms, cpuMs, latencies,
// failed }.
import { performance } from 'node:perf_hooks';
import { body, injectedService } from './harness.mjs';

const job = JSON.parse(process.argv[2]);
const { contender, port, count, ca, scenario } = job;
const host = '127.0.0.1';
const FROM = 'sender@example.com';
const auth = { user: 'bench', pass: 'secret' };
const subject = (i) => `Link benchmark message ${i}`;
const to = (i) => `user${i}@example.com`;
const mail = (i) => ({
  from: FROM,
  to: to(i),
  subject: subject(i),
  text: body(i),
});

/** nodemailer as its users configure it: STARTTLS required, AUTH, the CA trusted. */
const nodemailerOptions = {
  host,
  port,
  secure: false,
  requireTLS: true,
  auth,
  tls: { ca },
};

async function nodemailerTransport(extra) {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    ...nodemailerOptions,
    ...extra,
  });
  return {
    one: (i) => transport.sendMail(mail(i)),
    many: (n) =>
      Promise.allSettled(
        Array.from({ length: n }, (_, i) => transport.sendMail(mail(i))),
      ),
    close: async () => transport.close(),
  };
}

async function nestjsMail(extra = {}) {
  const { MailModule, MailService } = await import('./.dist/index.js');
  const { app, service } = await injectedService(
    [
      MailModule.forRoot({
        backend: 'smtp',
        options: {
          host,
          port,
          useTls: true,
          username: auth.user,
          password: auth.pass,
          sslCafile: job.caFile,
          ...extra,
        },
        defaultFromEmail: FROM,
      }),
    ],
    MailService,
  );
  return {
    one: (i) => service.sendMail(subject(i), body(i), FROM, [to(i)]),
    many: async (n) => {
      const sent = await service.sendMassMail(
        Array.from({ length: n }, (_, i) => [
          subject(i),
          body(i),
          FROM,
          [to(i)],
        ]),
      );
      if (sent !== n) throw new Error(`sendMassMail sent ${sent} of ${n}`);
    },
    close: () => app.close(),
  };
}

async function nestjsModulesMailer() {
  const { MailerModule, MailerService } =
    await import('@nestjs-modules/mailer');
  const { app, service: mailer } = await injectedService(
    [
      MailerModule.forRoot({
        transport: nodemailerOptions,
        defaults: { from: FROM },
      }),
    ],
    MailerService,
  );
  return {
    one: (i) =>
      mailer.sendMail({ to: to(i), subject: subject(i), text: body(i) }),
    close: () => app.close(),
  };
}

const factories = {
  'nestjs-mail': () => nestjsMail(),
  'nestjs-mail maxConnections(5)': () => nestjsMail({ maxConnections: 5 }),
  'nestjs-mail maxConnections(20)': () => nestjsMail({ maxConnections: 20 }),
  'nestjs-mail maxConnections(1)': () => nestjsMail({ maxConnections: 1 }),
  'nodemailer default transport': () => nodemailerTransport({}),
  'nodemailer pool(5)': () =>
    nodemailerTransport({ pool: true, maxConnections: 5 }),
  'nodemailer pool(5), maxMessages ∞': () =>
    nodemailerTransport({
      pool: true,
      maxConnections: 5,
      maxMessages: Infinity,
    }),
  '@nestjs-modules/mailer': nestjsModulesMailer,
};

const impl = await factories[contender]();
// Warm-up: a few messages one after another (JIT; a pool keeps one connection).
for (let i = 0; i < 5; i++) await impl.one(i);

await new Promise((resolve) => {
  process.once('message', resolve);
  process.send({ ready: true });
});
const latencies = [];
let failed = 0;
const cpuBefore = process.cpuUsage();
const start = performance.now();
if (scenario === 'burst') {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const t0 = performance.now();
      try {
        await impl.one(i);
        latencies.push(performance.now() - t0);
      } catch {
        failed++;
      }
    }),
  );
} else {
  const results = await impl.many(count);
  if (Array.isArray(results))
    failed = results.filter((r) => r.status === 'rejected').length;
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuBefore);
await impl.close();
process.send(
  {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    latencies,
    failed,
    messages: count,
  },
  () => process.exit(0),
);
