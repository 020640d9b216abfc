#!/usr/bin/env node
// The system tools the test suite needs besides Node and npm, and the `pretest`
// step that gets them: on Debian/Ubuntu, as root or with password-less sudo, it
// installs the missing ones with apt-get and says so; elsewhere it lists them.
// Skip it with NESTJS_MAIL_SKIP_SYSTEM_DEPS=1. The tests that need a missing tool
// fail with `missingToolMessage(name)`, which says how to get it.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that turns the automatic install off. */
export const SKIP_VARIABLE = 'NESTJS_MAIL_SKIP_SYSTEM_DEPS';

/** Each tool: the commands that provide it, its packages, and who needs it. */
export const SYSTEM_TOOLS = {
  openssl: {
    commands: ['openssl'],
    apt: 'openssl',
    brew: 'brew install openssl',
    neededBy: 'the SMTP TLS tests (they make a throwaway certificate with it)',
  },
  'redis-server': {
    commands: ['redis-server'],
    apt: 'redis-server',
    brew: 'brew install redis',
    neededBy: 'the queue tests (they start a throwaway Redis)',
  },
  chromium: {
    commands: ['chromium', 'chromium-browser'],
    apt: 'chromium',
    brew: 'brew install --cask chromium',
    neededBy: "the preview page's browser test",
    variable: 'NESTJS_MAIL_CHROMIUM',
  },
};

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The path of a tool (a key of SYSTEM_TOOLS) found on the PATH, or its
 * variable's value when set; null when missing.
 */
export function findTool(name) {
  const tool = SYSTEM_TOOLS[name];
  const fromVariable = tool.variable && process.env[tool.variable];
  if (fromVariable) return executable(fromVariable) ? fromVariable : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const command of tool.commands) {
      const path = join(dir || '.', command);
      if (executable(path)) return path;
    }
  }
  return null;
}

/** What a test says when the tool it needs is missing. */
export function missingToolMessage(name) {
  const tool = SYSTEM_TOOLS[name];
  const variable = tool.variable
    ? `, or point ${tool.variable} at its executable`
    : '';
  return (
    `${tool.commands[0]} is not installed (not found on the PATH); it is needed by ${tool.neededBy}. ` +
    `Install it: sudo apt-get install -y ${tool.apt} (Debian/Ubuntu; \`npm test\` does this ` +
    `itself when run as root or with password-less sudo), ${tool.brew} (macOS)${variable}.`
  );
}

function canSudo() {
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

function aptInstall(packages) {
  const root = process.getuid?.() === 0;
  if (!existsSync('/etc/debian_version') || !findCommand('apt-get')) {
    return 'no apt-get here: only Debian/Ubuntu are installed automatically';
  }
  if (!root && !(findCommand('sudo') && canSudo())) {
    return 'not root, and sudo asks for a password';
  }
  const prefix = root ? [] : ['sudo', '-n'];
  const run = (args) => {
    const [command, ...rest] = [...prefix, ...args];
    execFileSync(command, rest, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  console.log(
    `[system-deps] Installing what the tests need: ${root ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`,
  );
  console.log(`[system-deps] (skip this step with ${SKIP_VARIABLE}=1)`);
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', ...packages]);
  return null;
}

function findCommand(command) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => executable(join(dir || '.', command)));
}

function main() {
  if (process.env[SKIP_VARIABLE] === '1') {
    console.log(`[system-deps] ${SKIP_VARIABLE}=1: not checking system tools.`);
    return;
  }
  const missing = Object.keys(SYSTEM_TOOLS).filter((name) => !findTool(name));
  if (missing.length === 0) {
    const found = Object.keys(SYSTEM_TOOLS).map((n) => `${n} (${findTool(n)})`);
    console.log(`[system-deps] Present: ${found.join(', ')}.`);
    return;
  }
  const packages = missing.map((name) => SYSTEM_TOOLS[name].apt);
  let reason;
  try {
    reason = aptInstall(packages);
  } catch (err) {
    reason = `apt-get failed: ${err.message}`;
  }
  const still = Object.keys(SYSTEM_TOOLS).filter((name) => !findTool(name));
  if (still.length === 0) {
    console.log(`[system-deps] Installed: ${missing.join(', ')}.`);
    return;
  }
  console.warn(
    `[system-deps] Missing: ${still.join(', ')}${reason ? ` (not installed automatically: ${reason})` : ''}. ` +
      'The tests that need them will fail and say so:',
  );
  for (const name of still) console.warn(`  - ${missingToolMessage(name)}`);
  console.warn(`  Set ${SKIP_VARIABLE}=1 to skip this check.`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
