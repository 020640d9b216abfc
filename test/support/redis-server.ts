import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { missingToolMessage } from '../../scripts/system-deps.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway `redis-server` on 127.0.0.1. */
export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /**
   * Kills the server with `signal` and starts it again on the same port
   * (with `persistent`, from its append-only file), resolving once it
   * accepts connections again.
   */
  restart(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** How to get Redis when the tests do not find it. */
export const INSTALL_REDIS = missingToolMessage('redis-server');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

async function launch(port: number, dir: string | null): Promise<Running> {
  // prettier-ignore
  const persistence = dir
    ? ['--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', ...persistence],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(INSTALL_REDIS) : err),
    );
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code}: ${output}`)),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.stdout!.resume();
  return { child, exited };
}

/**
 * Starts `redis-server` on a free port and resolves once it accepts
 * connections: nothing persisted, or with `persistent` an append-only file
 * synced on every write (so a restart, even after SIGKILL, loses nothing).
 * Fails with {@link INSTALL_REDIS} when redis-server is not installed.
 */
export async function startRedisServer(
  options: { persistent?: boolean } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = options.persistent
    ? mkdtempSync(join(tmpdir(), 'nestjs-mail-redis-'))
    : null;
  let running = await launch(port, dir);
  const kill = async (signal: NodeJS.Signals) => {
    if (running.child.exitCode === null && running.child.signalCode === null)
      running.child.kill(signal);
    await running.exited;
  };
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(signal = 'SIGKILL') {
      await kill(signal);
      running = await launch(port, dir);
    },
    async stop() {
      await kill('SIGTERM');
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
