import type { CommandIo } from '../utils/command-io.js';
import { parseArgs } from 'node:util';
import { startDebugSmtpServer } from './debug-server.js';

/**
 * Runs `nestjs-mail [debug-server] ...` and resolves with its exit code:
 * 0 after `--help` or once the debug server was stopped by SIGINT/SIGTERM,
 * 1 when the server could not start, 2 for a usage error.
 *
 * @param argv the arguments after the program name.
 * @param usage the command line's help text, shown with usage errors.
 */
export async function runDebugServerCommand(
  argv: string[],
  io: CommandIo,
  usage: string,
): Promise<number> {
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
    io.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command !== 'debug-server' || extra.length) {
    const problem = command
      ? `Unknown command: ${[command, ...extra].join(' ')}`
      : 'Missing command.';
    io.stderr.write(`${problem}\n\n${usage}`);
    return 2;
  }
  const port = Number(values.port ?? 1025);
  if (!/^\d+$/.test(values.port ?? '1025') || port > 65535) {
    io.stderr.write(`Invalid --port: ${values.port}\n\n${usage}`);
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
