import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { runCommand, USAGE } from '../../lib/cli/cli-command.js';
import { WORKER_USAGE } from '../../lib/queue/worker.command.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return {
    stdout,
    stderr,
    signals: new EventEmitter(),
    env,
    out: () => out,
    err: () => err,
  };
}

describe('nestjs-mail worker', () => {
  it('is listed in the help, and has its own', async () => {
    expect(USAGE).toMatch(/worker {9}Deliver the mail of a queued mailer/);
    const streams = io();
    expect(await runCommand(['worker', '--help'], streams)).toBe(0);
    expect(streams.out()).toBe(WORKER_USAGE);
  });

  it('says how to configure it when neither --config nor EMAIL_URL and REDIS_URL are given', async () => {
    const streams = io({ EMAIL_URL: 'smtp://localhost' });
    expect(await runCommand(['worker'], streams)).toBe(1);
    expect(streams.err()).toContain(
      'Give --config <file>, or set EMAIL_URL and REDIS_URL.',
    );
  });

  it('rejects a bad --concurrency', async () => {
    const streams = io();
    expect(await runCommand(['worker', '--concurrency', '0'], streams)).toBe(2);
    expect(streams.err()).toContain('Invalid --concurrency: 0');
  });
});
