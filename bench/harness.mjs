// Shared by the bench scripts: command-line flags, the sink and worker
// processes, the message body and the Nest app of the workers, the figures'
// formatting and the sections of bench/RESULTS.md.
import { fork, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The flags every orchestrator takes: `--quick` (a smoke run), `--only
 * P1,P3` (some scenarios), `--no-write`. RESULTS.md is written only by a
 * full run: not with `--quick`, `--only` or `--no-write`.
 */
export function benchArgs(args = process.argv.slice(2)) {
  const quick = args.includes('--quick');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1].split(',') : null;
  const write = !quick && !only && !args.includes('--no-write');
  return { args, quick, only, write };
}

export const LINE =
  'The quick brown fox jumps over the lazy dog; pack my box now.'; // 62 chars

/** A 1 KB plain-text body (16 lines of 64 bytes), distinct per message. */
export function body(i) {
  const first = `Message number ${i}`.padEnd(63, '.');
  return [first, ...Array.from({ length: 15 }, () => LINE.padEnd(63, '!'))]
    .map((line) => line + '\n')
    .join('');
}

/**
 * The controller pattern of the workers: a Nest application context with
 * `imports` and a provider that gets `token` (a mail service) injected.
 * Resolves with the app (to close) and the injected service.
 */
export async function injectedService(imports, token) {
  const { Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  class Holder {
    constructor(service) {
      this.service = service;
    }
  }
  class AppModule {}
  Module({
    imports,
    providers: [
      {
        provide: Holder,
        useFactory: (service) => new Holder(service),
        inject: [token],
      },
    ],
  })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, {
    logger: false,
  });
  return { app, service: app.get(Holder).service };
}

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
 * Copies dist/ to bench/.dist (or `into`), which the workers import, so a
 * rebuild during the run (another terminal, a watcher) cannot pull it from
 * under them.
 * @param script the npm script that builds first, for the error message.
 */
export function privateDist(here, root, script, into = '.dist') {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error(
      `dist/ is missing: run \`npm run build\` first (\`npm run ${script}\` does).`,
    );
  }
  rmSync(join(here, into), { recursive: true, force: true });
  cpSync(join(root, 'dist'), join(here, into), { recursive: true });
}

/**
 * Puts `text`, a section starting with `## <heading>`, into the RESULTS.md
 * at `path`: in place of the section with that heading, or else just before
 * the section `## <before>` when there is one, or else at the end.
 */
export function writeSection(path, heading, text, before) {
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const start = previous.indexOf(`\n## ${heading}`);
  let head;
  let tail;
  if (start >= 0) {
    const next = previous.indexOf('\n## ', start + 1);
    head = previous.slice(0, start);
    tail = next >= 0 ? previous.slice(next) : '';
  } else {
    const at = before ? previous.indexOf(`\n## ${before}`) : -1;
    head = at >= 0 ? previous.slice(0, at) : previous;
    tail = at >= 0 ? previous.slice(at) : '';
  }
  writeFileSync(path, `${head.trimEnd()}\n\n${text.trimEnd()}\n${tail}`);
}
