import { runDebugServerCommand } from '../debug-server/debug-server.command.js';
import type { CommandIo } from '../utils/command-io.js';

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

/**
 * Runs the `nestjs-mail` command line and resolves with its exit code: the
 * dispatcher of its commands (`debug-server`, from core; `worker`, from the
 * queue add-on, loaded only for that command).
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
    // Loaded only for this command: it brings in Nest, BullMQ and the module.
    const { runWorkerCommand } = await import('../queue/worker.command.js');
    return runWorkerCommand(argv.slice(1), io);
  }
  return runDebugServerCommand(argv, io, USAGE);
}
