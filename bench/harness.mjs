// Shared by bench/run.mjs and bench/link.mjs: the sink and worker processes,
// and the figures' formatting.
import { fork, spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Median of numbers. */
export const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A number with thousands separators and `digits` decimals. */
export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });

/**
 * Forks a sink script that reports `{ ready }` and answers `{ cmd }` with
 * `{ stats }`. Resolves with what it reported ready, `ask(cmd)` and `stop()`.
 */
export function startSinkProcess(file, args = []) {
  const child = fork(file, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending = null;
  child.on('message', (msg) => {
    if (msg.stats && pending) {
      const resolve = pending;
      pending = null;
      resolve(msg.stats);
    }
  });
  const ask = (cmd) =>
    new Promise((resolve) => {
      pending = resolve;
      child.send({ cmd });
    });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (msg) => {
      if (msg.ready)
        resolve({ ready: msg.ready, ask, stop: () => child.kill() });
    });
  });
}

/**
 * Forks one timed run: the worker says `{ ready }`, `before()` runs (the
 * sink's counters), the worker is told to go, and its `{ ms, ... }` answer
 * is passed with that to `after(msg, before)`, whose value this resolves to.
 */
export function runWorkerProcess(file, job, { execArgv = [], before, after }) {
  return new Promise((resolve, reject) => {
    const child = fork(file, [JSON.stringify(job)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let snapshot = null;
    let done = false;
    child.on('message', async (msg) => {
      if (msg.ready) {
        snapshot = await before();
        child.send({ go: true });
      } else if (msg.ms !== undefined) {
        const result = await after(msg, snapshot);
        done = true;
        resolve(result);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      // The result may still be on its way (the sink's counters are asked first).
      setTimeout(() => {
        if (!done)
          reject(
            new Error(
              `${job.id ?? ''} ${job.contender} exited with code ${code}`,
            ),
          );
      }, 5000);
    });
  });
}

/**
 * Starts `n` standalone workers (`node dist/cli.js worker --config <config>`,
 * plus `args`) with `env`; each resolves `ready` once it says so.
 */
export function spawnWorkers(n, { root, config, env, args = [] }) {
  return Array.from({ length: n }, () => {
    const child = spawn(
      process.execPath,
      [join(root, 'dist', 'cli.js'), 'worker', '--config', config, ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ready = new Promise((resolve) =>
      child.stdout.on('data', (c) => String(c).includes('Ctrl+C') && resolve()),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return { child, ready, exited };
  });
}

/**
 * Copies dist/ to bench/.dist, which the workers import, so a rebuild during
 * the run (another terminal, a watcher) cannot pull it from under them.
 * @param script the npm script that builds first, for the error message.
 */
export function privateDist(here, root, script) {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error(
      `dist/ is missing: run \`npm run build\` first (\`npm run ${script}\` does).`,
    );
  }
  rmSync(join(here, '.dist'), { recursive: true, force: true });
  cpSync(join(root, 'dist'), join(here, '.dist'), { recursive: true });
}
