import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
let app: string;

/**
 * A consumer app with the package as npm installs it (`dist` and
 * package.json) and only its required peers: none of the optional ones
 * (bullmq, ioredis, @nestjs/terminus, mailparser, smtp-server).
 */
beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'nestjs-mail-consumer-'));
  const modules = join(app, 'node_modules');
  await mkdir(join(modules, 'nestjs-mail'), { recursive: true });
  await mkdir(join(modules, '@nestjs'));
  await mkdir(join(modules, '@types'));
  await cp(join(root, 'dist'), join(modules, 'nestjs-mail/dist'), {
    recursive: true,
  });
  await cp(
    join(root, 'package.json'),
    join(modules, 'nestjs-mail/package.json'),
  );
  for (const peer of [
    '@nestjs/common',
    '@nestjs/core',
    'rxjs',
    'reflect-metadata',
    'nodemailer',
    '@types/node',
  ])
    await symlink(join(root, 'node_modules', peer), join(modules, peer));
});

afterAll(() => rm(app, { recursive: true, force: true }));

/** Type-checks `code` in the consumer app with `skipLibCheck: false`; resolves with tsc's output. */
async function typeCheck(
  code: string,
): Promise<{ ok: boolean; output: string }> {
  await writeFile(join(app, 'main.ts'), code);
  await writeFile(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        experimentalDecorators: true,
        types: ['node'],
      },
      files: ['main.ts'],
    }),
  );
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [
      tsc,
      '-p',
      app,
    ]);
    return { ok: true, output: stdout };
  } catch (err) {
    return { ok: false, output: (err as { stdout: string }).stdout };
  }
}

describe('a consumer without the optional peers (skipLibCheck: false)', () => {
  it("compiles against core's entry point", async () => {
    const result = await typeCheck(`
import { EmailMessage, MailerRegistry, MailModule, MailOutbox, MailService, SmtpEmailBackend } from 'nestjs-mail';
export const used = [EmailMessage, MailerRegistry, MailModule, MailOutbox, MailService, SmtpEmailBackend];
`);
    expect(result).toEqual({ ok: true, output: '' });
  }, 60_000);

  it('compiles against the templates entry point with no engine installed', async () => {
    const result = await typeCheck(`
import { MailTemplates, MailTemplatesModule, defineTemplate, mailTemplate, type TemplateEngine } from 'nestjs-mail/templates';
export const used = [MailTemplates, MailTemplatesModule, defineTemplate<{ name: string }>('welcome'),
  mailTemplate('hi', (ctx: { name: string }) => ({ subject: ctx.name, text: 'x' }))];
export const engine: TemplateEngine = { extensions: ['x'], compile: () => () => '' };
`);
    expect(result).toEqual({ ok: true, output: '' });
  }, 60_000);

  it('gets a missing-module error only where it imports an add-on that needs one', async () => {
    const result = await typeCheck(`
import { queue } from 'nestjs-mail/queue';
export const q = queue;
`);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Cannot find module 'bullmq'/);
  }, 60_000);
});
