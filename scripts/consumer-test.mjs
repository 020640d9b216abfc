#!/usr/bin/env node
// The package as an app sees it: `npm pack`, then a throwaway app outside the
// repository installs the tarball (and nothing else of the repository) and
//   jest/   runs the documented ESM Jest setup on the README's example app,
//   vitest/ runs the documented Vitest setup (same matchers) on the same app,
//   cjs/    compiles a CommonJS app with tsc (module commonjs, legacy
//           moduleResolution "node") that sends a mail through the console backend.
// Every file those apps consist of comes from a block of README.md or docs/*.md
// marked `<!-- tested as: <app>/<path> -->`, so the docs are what is tested.
// Run by .ci/run (and `npm run test:consumer`); it needs the npm registry.
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCodeBlocks } from './doc-blocks.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = { jest: 'module', vitest: 'module', cjs: 'commonjs' };

/** What the docs tell users to install (docs/testing.md), in one app for all three. */
const DEV_DEPENDENCIES = {
  '@jest/globals': '^30.0.0',
  '@nestjs/testing': '^12.0.0',
  '@swc/core': '^1.15.0',
  '@types/node': '^20.19.0',
  jest: '^30.0.0',
  mailparser: '^3.14.2',
  'ts-jest': '^29.4.0',
  typescript: '~6.0.3',
  'unplugin-swc': '^2.0.0',
  vitest: '^4.1.0',
};
const DEPENDENCIES = {
  '@nestjs/common': '^12.0.0',
  '@nestjs/core': '^12.0.0',
  '@nestjs/platform-express': '^12.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.0',
};

function sh(command, args, cwd, env = {}) {
  console.log(
    `\n[consumer] (${cwd.slice(dir.length + 1) || '.'}) $ ${command} ${args.join(' ')}`,
  );
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } catch (err) {
    process.stdout.write(err.stdout ?? '');
    throw err;
  }
}

function expectOutput(output, pattern, what) {
  process.stdout.write(output);
  if (!pattern.test(output))
    throw new Error(`${what}: ${pattern} not in the output above`);
}

const dir = mkdtempSync(join(tmpdir(), 'nestjs-mail-consumer-'));
try {
  const packed = JSON.parse(
    sh('npm', ['pack', '--json', '--pack-destination', dir], root),
  )[0].filename;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        private: true,
        dependencies: { ...DEPENDENCIES, 'nestjs-mail': `file:./${packed}` },
        devDependencies: DEV_DEPENDENCIES,
      },
      null,
      2,
    ),
  );
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);

  const files = allCodeBlocks(root).flatMap((block) =>
    block.testedAs.map((path) => ({ path, block })),
  );
  for (const [app, type] of Object.entries(APPS)) {
    mkdirSync(join(dir, app), { recursive: true });
    writeFileSync(join(dir, app, 'package.json'), JSON.stringify({ type }));
    if (!files.some((f) => f.path.startsWith(`${app}/`))) {
      throw new Error(`No doc block is marked <!-- tested as: ${app}/... -->`);
    }
  }
  for (const { path, block } of files) {
    const [app] = path.split('/');
    if (!(app in APPS))
      throw new Error(`${block.file}:${block.line}: unknown app in "${path}"`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), `${block.code}\n`);
    console.log(`[consumer] ${path} ← ${block.file}:${block.line}`);
  }

  const bin = (path) => join(dir, 'node_modules', path);
  // Jest prints its summary on stderr (shown); the JSON file says what ran.
  sh(
    'node',
    [
      '--experimental-vm-modules',
      bin('jest/bin/jest.js'),
      '--ci',
      '--json',
      '--outputFile=jest.json',
    ],
    join(dir, 'jest'),
  );
  const jest = JSON.parse(readFileSync(join(dir, 'jest', 'jest.json'), 'utf8'));
  if (
    !jest.success ||
    jest.numPassedTests <
      files.filter((f) => /^jest\/test\//.test(f.path)).length
  ) {
    throw new Error(
      `Jest in the consumer app: ${jest.numPassedTests} tests passed, success ${jest.success}`,
    );
  }
  expectOutput(
    sh(
      'node',
      [bin('vitest/vitest.mjs'), 'run', '--reporter=verbose'],
      join(dir, 'vitest'),
      { NO_COLOR: '1', FORCE_COLOR: '0' },
    ),
    /Tests\s+\d+ passed/,
    'Vitest in the consumer app',
  );
  sh(
    'node',
    [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'],
    join(dir, 'cjs'),
  );
  expectOutput(
    sh('node', ['dist/main.js'], join(dir, 'cjs')),
    /Subject: Hello from CommonJS[\s\S]*-{79}/,
    'The CommonJS consumer',
  );
  rmSync(dir, { recursive: true, force: true });
  console.log('\n[consumer] Jest (ESM), Vitest and CommonJS consumers passed.');
} catch (err) {
  console.error(
    `\n[consumer] FAILED: ${err.message}\n[consumer] The consumer app is kept in ${dir}`,
  );
  process.exit(1);
}
