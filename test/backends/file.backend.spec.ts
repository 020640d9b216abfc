import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import typescript from 'typescript';
import { FileEmailBackend } from '../../lib/backends/file.backend.js';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';

const LIB = resolve('lib');
const SEPARATOR = `\n${'-'.repeat(79)}\n`;
const NAME = /^\d{8}-\d{6}-[0-9a-f]{16}\.log$/;
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/**
 * Runs an ES module snippet as uid/gid 65534 next to a plain-JS copy of the
 * backend sources (transpiled here; there is no build in the test run).
 */
function spawnAsNobody(source: string): string {
  const root = mkdtempSync(join(tmpdir(), 'nestjs-mail-nobody-'));
  try {
    // Transpile file.backend and every lib file it imports, following relative imports.
    const pending = ['backends/file.backend'];
    const done = new Set<string>();
    for (let file = pending.pop(); file; file = pending.pop()) {
      if (done.has(file)) continue;
      done.add(file);
      const ts = readFileSync(join(LIB, `${file}.ts`), 'utf8');
      for (const [, spec] of ts.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
        pending.push(join(dirname(file), spec));
      }
      const js = typescript.transpileModule(ts, {
        compilerOptions: {
          module: typescript.ModuleKind.ESNext,
          target: typescript.ScriptTarget.ES2022,
        },
      }).outputText;
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, `${file}.js`), js);
    }
    writeFileSync(join(root, 'package.json'), '{"type":"module"}');
    writeFileSync(join(root, 'probe.js'), source);
    chmodSync(root, 0o755);
    const run = spawnSync(process.execPath, ['probe.js'], {
      cwd: root,
      uid: NOBODY,
      gid: NOBODY,
      encoding: 'utf8',
    });
    return `${run.stdout}${run.stderr}${run.error ?? ''}`;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const message = (subject = 'Subject', options = {}) =>
  new EmailMessage(
    subject,
    'Content',
    'from@example.com',
    ['to@example.com'],
    options,
  );

/** Makes the file name predictable, to plant things at it (tests only). */
class FixedNameBackend extends FileEmailBackend {
  protected override createFileName(): string {
    return 'fixed.log';
  }
}

describe('FileEmailBackend', () => {
  let dir: string;
  const files = () => readdirSync(dir).sort();
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-mail-file-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('configuration', () => {
    it('needs filePath', () => {
      const make = () =>
        new FileEmailBackend(
          undefined as unknown as ConstructorParameters<
            typeof FileEmailBackend
          >[0],
        );
      expect(make).toThrow(ImproperlyConfiguredError);
      expect(make).toThrow(
        'FileEmailBackend needs filePath: the directory to write messages to',
      );
      expect(() => new FileEmailBackend({ filePath: '' })).toThrow(
        ImproperlyConfiguredError,
      );
    });

    it('makes the path absolute', () => {
      const backend = new FileEmailBackend({
        filePath: relative(process.cwd(), dir),
      });
      expect(backend.filePath).toBe(dir);
    });

    it('creates the directory, recursively, with mode 0700', () => {
      const target = join(dir, 'a', 'b');
      new FileEmailBackend({ filePath: target });
      expect(statSync(target).isDirectory()).toBe(true);
      expect(statSync(target).mode & 0o077).toBe(0);
      expect(statSync(join(dir, 'a')).mode & 0o077).toBe(0);
    });

    it('refuses a path that is a file', () => {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, '');
      expect(() => new FileEmailBackend({ filePath: file })).toThrow(
        `Path for saving email messages exists, but is not a directory: ${file}`,
      );
    });

    it('refuses a path that cannot be created', () => {
      writeFileSync(join(dir, 'file'), '');
      const target = join(dir, 'file', 'sub');
      expect(() => new FileEmailBackend({ filePath: target })).toThrow(
        `Could not create directory for saving email messages: ${target}`,
      );
    });

    it('refuses a directory it cannot write to', () => {
      const target = join(dir, 'read-only');
      mkdirSync(target, { mode: 0o555 });
      chmodSync(dir, 0o755);
      const expected = `Could not write to directory: ${target}`;
      if (!isRoot) {
        expect(() => new FileEmailBackend({ filePath: target })).toThrow(
          expected,
        );
        return;
      }
      // Root passes every access(W_OK) check, so run the real backend code as
      // an unprivileged user in a child process.
      const result = spawnAsNobody(
        `import { FileEmailBackend } from './backends/file.backend.js';
         try { new FileEmailBackend({ filePath: ${JSON.stringify(target)} }); console.log('constructed'); }
         catch (err) { console.log(err.name + ': ' + err.message); }`,
      );
      expect(result).toContain(`ImproperlyConfiguredError: ${expected}`);
    });
  });

  describe('files', () => {
    it('creates nothing until the first open', () => {
      const backend = new FileEmailBackend({ filePath: dir });
      expect(files()).toEqual([]);
      expect(backend.fileName).toBeUndefined();
    });

    it('names the file YYYYmmdd-HHMMSS-<hex>.log from the UTC time, mode 0600', async () => {
      const before = new Date();
      const backend = new FileEmailBackend({ filePath: dir });
      await backend.sendMessages([message()]);
      const [name] = files();
      expect(name).toMatch(NAME);
      expect(backend.fileName).toBe(join(dir, name));
      const stamp = before.toISOString().replace(/[-:]/g, '').slice(0, 8);
      expect(name.slice(0, 8)).toBe(stamp);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    });

    it('writes the console format, and the content parses back without Bcc', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      const count = await backend.sendMessages([
        message('First', { bcc: ['hidden@example.com'] }),
        message('Second'),
      ]);
      expect(count).toBe(2);
      const text = read(files()[0]);
      expect(text).not.toContain('hidden@example.com');
      expect(text).not.toContain('\r');
      const parts = text.split(SEPARATOR);
      expect(parts).toHaveLength(3);
      expect(parts[2]).toBe('');
      const first = await simpleParser(parts[0]);
      expect(first.subject).toBe('First');
      expect(first.text).toBe('Content\n');
      expect(first.bcc).toBeUndefined();
      expect((await simpleParser(parts[1])).subject).toBe('Second');
    });

    it('keeps one file per instance, appended to across open/close cycles', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      await backend.sendMessages([message('one')]);
      await backend.sendMessages([message('two')]);
      expect(await backend.open()).toBe(true);
      expect(await backend.open()).toBe(false);
      await backend.sendMessages([message('three')]);
      await backend.close();
      await backend.close();
      expect(files()).toHaveLength(1);
      const subjects = read(files()[0])
        .split(SEPARATOR)
        .slice(0, -1)
        .map((p) => /^Subject: (.*)$/m.exec(p)?.[1]);
      expect(subjects).toEqual(['one', 'two', 'three']);
    });

    it('gives two instances two files', async () => {
      await new FileEmailBackend({ filePath: dir }).sendMessages([message()]);
      await new FileEmailBackend({ filePath: dir }).sendMessages([message()]);
      expect(files()).toHaveLength(2);
      expect(files().every((name) => NAME.test(name))).toBe(true);
    });

    it('leaves an open backend open, and closes one it opened itself', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      await backend.open();
      await backend.sendMessages([message()]);
      expect(await backend.open()).toBe(false);
      await backend.close();
      await backend.sendMessages([message()]);
      expect(await backend.open()).toBe(true);
      await backend.close();
    });

    it('returns 0 for no messages and creates no file', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      expect(await backend.sendMessages([])).toBe(0);
      expect(files()).toEqual([]);
    });

    it('serialises concurrent calls on a closed backend into one file', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      const counts = await Promise.all([
        backend.sendMessages([message('a'), message('b')]),
        backend.sendMessages([message('c')]),
        backend.open(),
      ]);
      await backend.close();
      expect(counts.slice(0, 2)).toEqual([2, 1]);
      expect(files()).toHaveLength(1);
      expect(read(files()[0]).split(SEPARATOR)).toHaveLength(4);
    });

    it('does not write anything for a bad message, even with failSilently', async () => {
      const backend = new FileEmailBackend({
        filePath: dir,
        failSilently: true,
      });
      await expect(
        backend.sendMessages([message('ok'), message('bad\r\nX: y')]),
      ).rejects.toThrow(BadHeaderError);
      expect(files()).toEqual([]);
    });

    it('recreates the file if it was deleted between cycles', async () => {
      const backend = new FileEmailBackend({ filePath: dir });
      await backend.sendMessages([message('one')]);
      const name = files()[0];
      unlinkSync(join(dir, name));
      await backend.sendMessages([message('two')]);
      expect(files()).toEqual([name]);
      expect(read(name)).toContain('Subject: two');
    });
  });

  describe('planted files and links', () => {
    it('never follows a symlink planted at the new file name', async () => {
      const target = join(dir, 'victim');
      writeFileSync(target, 'untouched');
      symlinkSync(target, join(dir, 'fixed.log'));
      const backend = new FixedNameBackend({ filePath: dir });
      await expect(backend.open()).rejects.toMatchObject({ code: 'EEXIST' });
      await expect(backend.sendMessages([message()])).rejects.toMatchObject({
        code: 'EEXIST',
      });
      expect(readFileSync(target, 'utf8')).toBe('untouched');
      expect(backend.fileName).toBeUndefined();
    });

    it('never appends to a file planted at the new file name', async () => {
      writeFileSync(join(dir, 'fixed.log'), 'planted');
      const backend = new FixedNameBackend({ filePath: dir });
      await expect(backend.sendMessages([message()])).rejects.toMatchObject({
        code: 'EEXIST',
      });
      // A later attempt must not fall back to appending.
      await expect(backend.open()).rejects.toMatchObject({ code: 'EEXIST' });
      expect(read('fixed.log')).toBe('planted');
    });

    it('with failSilently, a file it may not create counts 0 messages sent', async () => {
      writeFileSync(join(dir, 'fixed.log'), 'planted');
      const backend = new FixedNameBackend({
        filePath: dir,
        failSilently: true,
      });
      expect(await backend.sendMessages([message()])).toBe(0);
      expect(read('fixed.log')).toBe('planted');
    });

    it('refuses a symlink swapped in between cycles', async () => {
      const backend = new FixedNameBackend({ filePath: dir });
      await backend.sendMessages([message('one')]);
      const target = join(dir, 'victim');
      writeFileSync(target, 'untouched');
      renameSync(join(dir, 'fixed.log'), join(dir, 'moved.log'));
      symlinkSync(target, join(dir, 'fixed.log'));
      await expect(backend.sendMessages([message('two')])).rejects.toThrow();
      expect(readFileSync(target, 'utf8')).toBe('untouched');
    });

    it('refuses another file swapped in between cycles', async () => {
      const backend = new FixedNameBackend({ filePath: dir });
      await backend.sendMessages([message('one')]);
      renameSync(join(dir, 'fixed.log'), join(dir, 'moved.log'));
      writeFileSync(join(dir, 'fixed.log'), 'planted');
      await expect(backend.sendMessages([message('two')])).rejects.toThrow(
        'was replaced by another file',
      );
      expect(read('fixed.log')).toBe('planted');
      expect(existsSync(join(dir, 'moved.log'))).toBe(true);
    });
  });
});
