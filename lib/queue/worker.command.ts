import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { CommandIo } from '../utils/command-io.js';
import { MailModule, type MailModuleOptions } from '../index.js';
import { MailQueueWorker } from './mail-queue-worker.js';
import { MailQueueWorkerModule } from './mail-queue-worker.module.js';
import type { MailQueueWorkerOptions } from './mail-queue-worker.module-definition.js';
import { queue } from './queue.config.js';

/** Help text of `nestjs-mail worker`. */
export const WORKER_USAGE = `Usage: nestjs-mail worker [--config <file>] [--mailer <alias>] [--concurrency <n>]

Delivers the mail that a queued mailer put on Redis (needs: npm install bullmq ioredis).
Stop it with SIGINT or SIGTERM: it finishes the messages in flight first.

Options:
  --config <file>      A module whose default export is the MailModule options
                       (or a function returning them), with the queued mailer
                       and its target: usually what the producing app uses.
                       An optional named export "worker" holds the
                       MailQueueWorkerModule options (lockDuration, ...).
  --mailer <alias>     The queued mailer to work for (needed when there are several).
  --concurrency <n>    Messages delivered at the same time (default 1).
  -h, --help           Show this help

Without --config, the environment configures it:
  EMAIL_URL        SMTP server to deliver through, e.g. smtp://user:pass@smtp.example.com:587
  REDIS_URL        Redis holding the queue, e.g. redis://127.0.0.1:6379
  MAIL_QUEUE_NAME  queue name (default nestjs-mail)
`;

@Module({})
class MailWorkerAppModule {}

/** What configures the worker process. */
interface WorkerConfig {
  mail: MailModuleOptions;
  worker: MailQueueWorkerOptions;
}

/** The options of `--config`, or built from the environment. */
async function workerConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<WorkerConfig> {
  if (path) {
    const loaded = await import(pathToFileURL(resolve(path)).href);
    const exported = loaded.default ?? loaded;
    return {
      mail: typeof exported === 'function' ? await exported() : exported,
      worker: loaded.worker ?? {},
    };
  }
  if (!env.EMAIL_URL || !env.REDIS_URL)
    throw new Error(
      'Give --config <file>, or set EMAIL_URL and REDIS_URL.\n\n' +
        WORKER_USAGE,
    );
  const mail: MailModuleOptions = {
    options: { url: env.EMAIL_URL },
    mailers: {
      queue: queue({
        connection: { url: env.REDIS_URL },
        queueName: env.MAIL_QUEUE_NAME || undefined,
      }),
    },
  };
  return { mail, worker: {} };
}

/**
 * Runs `nestjs-mail worker` and resolves with its exit code: 0 once stopped
 * by SIGINT/SIGTERM (after the messages in flight), 1 when it could not
 * start, 2 for a usage error.
 */
export async function runWorkerCommand(
  argv: string[],
  io: CommandIo,
): Promise<number> {
  let values: {
    config?: string;
    mailer?: string;
    concurrency?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        mailer: { type: 'string' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${WORKER_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(WORKER_USAGE);
    return 0;
  }
  const concurrency =
    values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1)
  ) {
    io.stderr.write(
      `Invalid --concurrency: ${values.concurrency}\n\n${WORKER_USAGE}`,
    );
    return 2;
  }

  let app;
  let worker: MailQueueWorkerOptions;
  try {
    const config = await workerConfig(values.config, io.env ?? process.env);
    worker = { ...config.worker };
    if (values.mailer) worker.mailer = values.mailer;
    if (concurrency) worker.concurrency = concurrency;
    const root: DynamicModule = {
      module: MailWorkerAppModule,
      imports: [
        MailModule.forRoot(config.mail),
        MailQueueWorkerModule.forRoot(worker),
      ],
    };
    app = await NestFactory.createApplicationContext(root, {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  const source = app.get(MailQueueWorker).source!;
  io.stdout.write(
    `Mail queue worker: queue '${source.queueName}', delivering through mailer ` +
      `'${source.targetAlias}' (${worker.concurrency ?? 1} at a time). Press Ctrl+C to stop.\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      done();
    };
    io.signals.on('SIGINT', stop);
    io.signals.on('SIGTERM', stop);
  });
  await app.close();
  io.stdout.write('Mail queue worker stopped.\n');
  return 0;
}
