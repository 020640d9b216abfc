import type { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import { startDebugSmtpServer } from './debug-server.js';

/** Help text of the `nestjs-mail` command. */
export const USAGE = `Usage: nestjs-mail debug-server [--host 127.0.0.1] [--port 1025]
       nestjs-mail worker [--config <file>] (see nestjs-mail worker --help)

Commands:
  debug-server   Run an SMTP server that prints every message it receives
                 and delivers none (needs: npm install smtp-server).
  worker         Deliver the mail of a queued mailer from Redis
                 (needs: npm install bullmq ioredis).

Options:
  --host <host>  Interface to listen on (default 127.0.0.1)
  --port <port>  Port to listen on, 0 for any free port (default 1025)
  -h, --help     Show this help
`;

/** Streams and signals the command uses; the real process by default. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Emits `SIGINT`/`SIGTERM`. */
  signals: EventEmitter;
  /** Environment of the `worker` command; `process.env` when omitted. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the `nestjs-mail` command line and resolves with its exit code
 * (for `worker`, see `nestjs-mail worker --help`); for `debug-server`:
 * 0 after `--help` or once the debug server was stopped by SIGINT/SIGTERM,
 * 1 when the server could not start, 2 for a usage error.
 *
 * @param argv the arguments after the program name.
 */
export async function runCommand(
  argv: string[],
  io: CommandIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
  },
): Promise<number> {
  if (argv[0] === 'worker') {
    // Loaded only for this command: it brings in Nest and the module.
    const { runWorkerCommand } = await import('../queue/worker.command.js');
    return runWorkerCommand(argv.slice(1), io);
  }
  let values: { host?: string; port?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command !== 'debug-server' || extra.length) {
    const problem = command
      ? `Unknown command: ${[command, ...extra].join(' ')}`
      : 'Missing command.';
    io.stderr.write(`${problem}\n\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port ?? 1025);
  if (!/^\d+$/.test(values.port ?? '1025') || port > 65535) {
    io.stderr.write(`Invalid --port: ${values.port}\n\n${USAGE}`);
    return 2;
  }

  let server;
  try {
    server = await startDebugSmtpServer({
      host: values.host ?? '127.0.0.1',
      port,
      stream: io.stdout,
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    `Debug SMTP server listening on ${server.host}:${server.port}; ` +
      'messages are printed here, never delivered. Press Ctrl+C to stop.\n',
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      io.signals.off('SIGINT', stop);
      io.signals.off('SIGTERM', stop);
      resolve();
    };
    io.signals.on('SIGINT', stop);
    io.signals.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
