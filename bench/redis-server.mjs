// A throwaway redis-server for the queue benchmarks (bench/queue.mjs,
// bench/queue-link.mjs, bench/queue-bulk.mjs).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { missingToolMessage } from '../scripts/system-deps.mjs';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `redis-server` on a free port, nothing persisted: `{ port, stop() }`. */
export async function startRedis() {
  const port = await freePort();
  // prettier-ignore
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('error', (err) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(missingToolMessage('redis-server'))
          : err,
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code}: ${out}`)),
    );
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  return { port, stop: () => child.kill('SIGTERM') };
}
