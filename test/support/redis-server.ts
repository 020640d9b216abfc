import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { missingToolMessage } from '../../scripts/system-deps.mjs';

/** A throwaway `redis-server` on 127.0.0.1, nothing persisted. */
export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
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

/**
 * Starts `redis-server --port <free> --save '' --appendonly no` and resolves
 * once it accepts connections. Fails with {@link INSTALL_REDIS} when
 * redis-server is not installed.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  // prettier-ignore
  const child: ChildProcess = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
