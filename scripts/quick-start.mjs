#!/usr/bin/env node
// Runs the README's Quick start commands exactly as written (the first ```sh block
// under "## Quick start"), one line at a time, in this checkout. A line with
// `npm start` starts a server that runs until stopped, so for that line this script
// waits for the sample app's "Sample app on http://..." line, then does what the
// README tells the reader to try (POST /contact: a 302 and the printed mail;
// GET /_mail: the preview page lists it), then stops the server with SIGTERM.
// Every other line must exit with 0. Used by .ci/run.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STARTUP_MS = 10 * 60_000;

/** The command lines of the README's Quick start block. */
export function quickStartCommands(readme) {
  const section = readme.split(/^## Quick start\s*$/m)[1];
  if (!section) throw new Error('README.md has no "## Quick start" section');
  const block = /^```sh\n([\s\S]*?)^```/m.exec(section.split(/^## /m)[0]);
  if (!block) throw new Error('The Quick start section has no ```sh block');
  return block[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function run(line) {
  return new Promise((resolve, reject) => {
    console.log(`\n$ ${line}`);
    const child = spawn('sh', ['-c', line], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`"${line}" failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function until(read, pattern, what, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runServer(line) {
  console.log(`\n$ ${line}    # a server: probed, then stopped by this script`);
  const child = spawn('sh', ['-c', line], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exit = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(signal ?? code);
    }),
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
  }
  const read = () => {
    if (exited) throw new Error(`"${line}" exited before it was probed`);
    return output;
  };
  try {
    const [, base] = await until(
      read,
      /Sample app on (http:\/\/[\d.]+:\d+)\./,
      'the sample app to start',
      STARTUP_MS,
    );
    console.log(`\n[quick-start] POST ${base}/contact`);
    const response = await fetch(`${base}/contact`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Hello',
        message: 'Hi there',
        from_email: 'you@example.com',
      }),
    });
    const location = response.headers.get('location');
    if (response.status !== 302 || location !== '/contact/thanks/') {
      throw new Error(
        `POST /contact answered ${response.status} ${location ?? ''}, expected 302 to /contact/thanks/`,
      );
    }
    await until(
      read,
      /MESSAGE FOLLOWS[\s\S]*Subject: Hello[\s\S]*Hi there[\s\S]*END MESSAGE/,
      'the printed mail',
      10_000,
    );
    const page = await fetch(`${base}/_mail`);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('Hello')) {
      throw new Error(`GET /_mail answered ${page.status} without the mail`);
    }
    console.log(
      '[quick-start] 302 to /contact/thanks/, the mail was printed, /_mail lists it.',
    );
  } finally {
    if (!exited) process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  }
}

async function main() {
  const commands = quickStartCommands(
    readFileSync(join(root, 'README.md'), 'utf8'),
  );
  for (const line of commands) {
    if (/\bnpm start\b/.test(line)) await runServer(line);
    else await run(line);
  }
  console.log(
    `\n[quick-start] All ${commands.length} Quick start commands passed.`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`[quick-start] ${err.message}`);
    process.exit(1);
  });
}
