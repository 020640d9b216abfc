import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { loadSmtpServer } from './load-smtp-server.js';

/** Options of {@link startDebugSmtpServer}. */
export interface DebugSmtpServerOptions {
  /**
   * Interface to listen on. Keep it on loopback: the server accepts mail
   * from anyone who can reach it.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port to listen on; `0` picks a free one (see the returned `port`).
   * @default 1025
   */
  port?: number;
  /**
   * Where received messages are printed.
   * @default process.stdout
   */
  stream?: NodeJS.WritableStream;
  /**
   * How many of the most recent messages to keep in memory, in
   * {@link DebugSmtpServer.messages} (for `MailPreviewModule`). `0` keeps none.
   * @default 100
   */
  keep?: number;
}

/** A message the debug server received, as kept in {@link DebugSmtpServer.messages}. */
export interface ReceivedMessage {
  /** Sequence number, unique within one server (`'1'`, `'2'`, …). */
  id: string;
  /** When the server finished receiving it. */
  receivedAt: Date;
  /** The SMTP envelope: `MAIL FROM` and every `RCPT TO` (Bcc recipients included). */
  envelope: { from: string; to: string[] };
  /** The message exactly as received (CRLF line endings). */
  raw: Buffer;
}

/** A running debug SMTP server. */
export interface DebugSmtpServer {
  /** The interface it listens on. */
  host: string;
  /** The port it listens on (the real one when `0` was asked for). */
  port: number;
  /**
   * The last `keep` messages received, oldest first; the array is updated in
   * place as mail arrives.
   */
  readonly messages: readonly ReceivedMessage[];
  /**
   * A source for `MailPreviewModule`: the messages above.
   * @example MailPreviewModule.forRoot({ enabled: true, sources: [server] })
   */
  previewMessages(): readonly ReceivedMessage[];
  /** How the preview page labels these messages: `'SMTP server'`. */
  readonly previewLabel: string;
  /** Stops listening and drops connected clients. */
  close(): Promise<void>;
}

/** First line printed for each message, as Python's `smtpd.DebuggingServer`. */
export const MESSAGE_FOLLOWS = '---------- MESSAGE FOLLOWS ----------';
/** Last line printed for each message. */
export const END_MESSAGE = '------------ END MESSAGE ------------';

/**
 * Starts an SMTP server that prints every message it receives and delivers
 * none: the replacement for `python -m smtpd -n -c DebuggingServer
 * localhost:1025`. No AUTH, no STARTTLS. Point an `SmtpEmailBackend` at it
 * (`host: '127.0.0.1', port: 1025`), or run `npx nestjs-mail debug-server`.
 *
 * The last `keep` messages stay in memory in `messages`, for
 * `MailPreviewModule`. Needs the optional peer dependency `smtp-server`.
 *
 * @example
 * const server = await startDebugSmtpServer({ port: 0 });
 * const backend = new SmtpEmailBackend({ host: server.host, port: server.port });
 */
export async function startDebugSmtpServer({
  host = '127.0.0.1',
  port = 1025,
  stream = process.stdout,
  keep = 100,
}: DebugSmtpServerOptions = {}): Promise<DebugSmtpServer> {
  const { SMTPServer } = await loadSmtpServer();
  const messages: ReceivedMessage[] = [];
  let received = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    hideSTARTTLS: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    closeTimeout: 1000,
    onData(data, session, callback) {
      readAll(data).then((raw) => {
        const { mailFrom, rcptTo } = session.envelope;
        if (keep > 0) {
          messages.push({
            id: String(++received),
            receivedAt: new Date(),
            envelope: {
              from: mailFrom ? mailFrom.address : '',
              to: rcptTo.map((rcpt) => rcpt.address),
            },
            raw,
          });
          messages.splice(0, messages.length - keep);
        }
        stream.write(
          [
            MESSAGE_FOLLOWS,
            `MAIL FROM: <${mailFrom ? mailFrom.address : ''}>`,
            ...rcptTo.map((rcpt) => `RCPT TO: <${rcpt.address}>`),
            `X-Peer: ${session.remoteAddress}`,
            '',
            raw.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, ''),
            END_MESSAGE,
            '',
          ].join('\n'),
        );
        callback();
      }, callback);
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    host,
    port: address.port,
    messages,
    previewMessages: () => messages,
    previewLabel: 'SMTP server',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
