import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import type { BaseEmailBackendOptions } from './base.backend.js';
import type { MailerContext } from './mailer-context.js';
import { ConsoleEmailBackend } from './console.backend.js';

/** Options of {@link FileEmailBackend}. */
export interface FileEmailBackendOptions extends BaseEmailBackendOptions {
  /**
   * Directory the message files are written to. Made absolute against the
   * working directory and created (mode `0o700`) if missing.
   */
  filePath: string;
}

const { O_APPEND, O_CREAT, O_EXCL, O_WRONLY } = constants;
/** Refuse a symbolic link as the final path component (not available on Windows). */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_FLAGS = O_CREAT | O_EXCL | O_WRONLY | O_APPEND | O_NOFOLLOW;
const REOPEN_FLAGS = O_WRONLY | O_APPEND | O_NOFOLLOW;

/**
 * Writes messages to files instead of sending them, Django's
 * `filebased.EmailBackend`. The output is the console backend's: each message
 * with `\n` line endings, then a line of 79 dashes.
 *
 * Each backend instance writes to one file of its own, created on its first
 * `open()` and appended to by every later open/close cycle of that instance;
 * a new instance (a new `getConnection()`) makes a new file. Files are named
 * `YYYYmmdd-HHMMSS-<16 hex digits>.log` from the **UTC** time of creation
 * (Django uses local time and the object id): the random part keeps the name
 * unguessable, and UTC keeps names in order across daylight-saving changes.
 *
 * The file is created exclusively with mode `0o600`, so a file or symbolic
 * link planted under that name is never written through; a later reopen
 * refuses a symbolic link and checks it is still the same file. Message
 * content never contributes to the path.
 *
 * The directory is checked and created when the backend is constructed, as
 * in Django, so a bad `filePath` fails at startup.
 *
 * @example
 * MailModule.forRoot({ backend: 'file', options: { filePath: 'tmp/mail' } })
 */
export class FileEmailBackend extends ConsoleEmailBackend {
  /** Absolute path of the directory the message files go to. */
  readonly filePath: string;
  private handle?: FileHandle;
  private opening?: Promise<boolean>;
  private file?: { path: string; dev: number; ino: number };

  /**
   * @throws ImproperlyConfiguredError when `filePath` is missing, is not a
   *   directory, cannot be created or is not writable.
   */
  constructor(options: FileEmailBackendOptions, context?: MailerContext) {
    super(
      { failSilently: options?.failSilently, dkim: options?.dkim },
      context,
    );
    this.stream = null;
    const given: unknown = options?.filePath;
    if (typeof given !== 'string' || !given) {
      throw new ImproperlyConfiguredError(
        'FileEmailBackend needs filePath: the directory to write messages to. ' +
          "Pass it in the backend options, e.g. { filePath: 'tmp/mail' }.",
      );
    }
    this.filePath = resolve(given);
    prepareDirectory(this.filePath);
  }

  /**
   * Path of this instance's message file; `undefined` until the first
   * successful `open()`.
   */
  get fileName(): string | undefined {
    return this.file?.path;
  }

  /**
   * Opens this instance's file for appending, creating it on the first call.
   * Returns `true` when it opened the file, `false` when it was already open.
   */
  async open(): Promise<boolean> {
    if (this.handle) return false;
    if (this.opening) return this.opening.then(() => false);
    this.opening = this.openFile().finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** Closes the file; harmless when it is not open. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /**
   * The file name (not the path) for a new file. Override only to change the
   * naming scheme; keep a random part so names cannot be predicted.
   */
  protected createFileName(now: Date): string {
    const pad = (n: number) => String(n).padStart(2, '0');
    const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
    const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
    return `${date}-${time}-${randomBytes(8).toString('hex')}.log`;
  }

  protected override async writeChunk(chunk: Buffer): Promise<void> {
    if (!this.handle) throw new Error('FileEmailBackend is not open.');
    await this.handle.writeFile(chunk);
  }

  private async openFile(): Promise<boolean> {
    const previous = this.file;
    const path =
      previous?.path ?? join(this.filePath, this.createFileName(new Date()));
    let handle: FileHandle;
    let created = !previous;
    try {
      handle = await open(path, previous ? REOPEN_FLAGS : CREATE_FLAGS, 0o600);
    } catch (err) {
      if (!previous || (err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw err;
      // Deleted since the last cycle: start it again, exclusively.
      handle = await open(path, CREATE_FLAGS, 0o600);
      created = true;
    }
    try {
      const { dev, ino } = await handle.stat();
      if (!created && (previous?.dev !== dev || previous?.ino !== ino)) {
        throw new Error(
          `The message file ${path} was replaced by another file since this backend created it; ` +
            'refusing to write to it. Check who else writes to the directory.',
        );
      }
      this.file = { path, dev, ino };
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.handle = handle;
    return true;
  }
}

/** Django's directory checks, with messages that say what to change. */
function prepareDirectory(path: string): void {
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) mkdirSync(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ImproperlyConfiguredError(
      `Could not create directory for saving email messages: ${path} (${(err as Error).message}). ` +
        'Create it, or set filePath to a directory this process may create.',
    );
  }
  if (stats && !stats.isDirectory()) {
    throw new ImproperlyConfiguredError(
      `Path for saving email messages exists, but is not a directory: ${path}. ` +
        'Set filePath to a directory.',
    );
  }
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch {
    throw new ImproperlyConfiguredError(
      `Could not write to directory: ${path}. ` +
        'Make it writable by this process, or set filePath to another directory.',
    );
  }
}
