import { BadHeaderError } from '../errors/bad-header.error.js';
import type { EmailMessage } from '../message/email-message.js';
import { SerialQueue } from '../utils/serial-queue.js';
import {
  BaseEmailBackend,
  type BaseEmailBackendOptions,
} from './base.backend.js';
import type { MailerContext } from './mailer-context.js';

/** Options of {@link ConsoleEmailBackend}. */
export interface ConsoleEmailBackendOptions extends BaseEmailBackendOptions {
  /**
   * Where messages are written. Its `'error'` events are left to its owner.
   * @default process.stdout
   */
  stream?: NodeJS.WritableStream;
}

/** Written after each message: a newline, 79 dashes and a newline, as Django does. */
const SEPARATOR = Buffer.from(`\n${'-'.repeat(79)}\n`);

/**
 * Writes each message to a stream instead of sending it, Django's
 * `console.EmailBackend`, for development.
 *
 * Each message is written as its rendered bytes with `\n` line endings,
 * followed by a newline and a line of 79 dashes. The output is what the
 * recipients would see: no `Bcc` header, no envelope, no credentials.
 *
 * All messages of a call are validated and rendered before anything is
 * written, so a bad message never leaves partial output. Concurrent calls on
 * one backend are written one after the other, never interleaved.
 *
 * Differences from Django: an empty input returns `0` (Django returns
 * `None`), and with `failSilently` a `BadHeaderError` or `InvalidAddressError`
 * is still thrown (Django's console backend swallows it) — bad headers and
 * addresses are never silenced in this package.
 *
 * @example
 * MailModule.forRoot({ backend: 'console' })
 */
export class ConsoleEmailBackend extends BaseEmailBackend {
  /** The stream messages are written to; `null` while a subclass has none. */
  protected stream: NodeJS.WritableStream | null;
  private readonly queue = new SerialQueue();

  /** @param options the stream to write to, and `failSilently`. */
  constructor(
    options: ConsoleEmailBackendOptions = {},
    context?: MailerContext,
  ) {
    super(options, context);
    this.stream = options.stream ?? process.stdout;
  }

  /**
   * Writes the messages and returns how many were written. Accepts any
   * iterable and iterates it once. With `failSilently`, a failure to render
   * or write stops the call and returns the count written so far.
   */
  sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    return this.queue.run(() => this.writeMessages(messages));
  }

  /** Writes one rendered message with its separator. */
  protected async writeChunk(chunk: Buffer): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new Error('ConsoleEmailBackend has no stream.');
    await new Promise<void>((resolve, reject) => {
      stream.write(chunk, (err?: Error | null) =>
        err ? reject(err) : resolve(),
      );
    });
  }

  private async writeMessages(
    messages: Iterable<EmailMessage>,
  ): Promise<number> {
    const chunks = await this.render(messages);
    if (!chunks.length) return 0;
    let sent = 0;
    let opened = false;
    try {
      opened = (await this.open()) === true;
      for (const chunk of chunks) {
        await this.writeChunk(chunk);
        sent++;
      }
      if (opened) {
        opened = false;
        await this.close();
      }
    } catch (err) {
      if (opened) await this.close().catch(() => undefined);
      if (!this.failSilently) throw err;
    }
    return sent;
  }

  private async render(messages: Iterable<EmailMessage>): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    try {
      for (const message of messages) {
        const bytes = await message
          .message(this.messageSettings)
          .asBytes({ linesep: '\n' });
        chunks.push(Buffer.concat([bytes, SEPARATOR]));
      }
    } catch (err) {
      if (!this.failSilently || err instanceof BadHeaderError) throw err;
    }
    return chunks;
  }
}
