import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { missingToolMessage } from '../../scripts/system-deps.mjs';
import {
  SMTPServer,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';

/** One message the sink accepted. */
export interface SinkMessage {
  /** The SMTP envelope as the server saw it (bare addresses). */
  envelope: { mailFrom: string; rcptTo: string[] };
  /** The DATA bytes exactly as received (CRLF line ends, dot-unstuffed). */
  raw: Buffer;
  /** `raw` parsed by mailparser's `simpleParser`. */
  parsed: ParsedMail;
}

/** A running in-process SMTP server that records what it receives. */
export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  /** Accepted messages, in arrival order. */
  messages: SinkMessage[];
  /** How many client connections were made (onConnect calls). */
  readonly connectionCount: number;
  /** How many client connections have ended (onClose calls). */
  readonly closeCount: number;
  /** The underlying smtp-server instance. */
  server: SMTPServer;
  /** Drops every open client connection (simulates a server idle timeout). */
  dropConnections(): void;
  /** Resolves once `messages.length >= count` (or rejects after `ms`). */
  waitForMessages(count: number, ms?: number): Promise<void>;
  /** Stops listening and drops lingering connections. */
  close(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Polls `check` every 10 ms until it is true; rejects after `ms`. */
export async function waitFor(
  check: () => boolean,
  ms = 5000,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Starts a real `smtp-server` on 127.0.0.1, on a free port. Defaults:
 * `authOptional`, no reverse lookup, no logging, a 500 ms close timeout.
 * Every option can be overridden. A given `onConnect`/`onClose` still counts
 * connections; a given `onData` decides the reply (the message is recorded
 * only when it accepts), fed a replay of the raw bytes.
 *
 * @example
 * const sink = await startSmtpSink();
 * // ... send to sink.host:sink.port ...
 * expect(sink.messages[0].parsed.subject).toBe('Hi');
 * await sink.close();
 */
export async function startSmtpSink(
  options: SMTPServerOptions = {},
): Promise<SmtpSink> {
  let connectionCount = 0;
  let closeCount = 0;
  const messages: SinkMessage[] = [];
  const { onConnect, onClose, onData, ...rest } = options;

  const server = new SMTPServer({
    disableReverseLookup: true,
    logger: false,
    authOptional: true,
    closeTimeout: 500,
    ...rest,
    onConnect(session, callback) {
      connectionCount++;
      if (onConnect) onConnect.call(server, session, callback);
      else callback();
    },
    onClose(session: SMTPServerSession, callback?: () => void) {
      closeCount++;
      onClose?.call(server, session, callback ?? (() => {}));
    },
    onData(stream, session, callback) {
      readAll(stream).then(async (raw) => {
        const { mailFrom, rcptTo } = session.envelope;
        const record = async () => {
          messages.push({
            envelope: {
              mailFrom: mailFrom ? mailFrom.address : '',
              rcptTo: rcptTo.map((rcpt) => rcpt.address),
            },
            raw,
            parsed: await simpleParser(raw),
          });
        };
        if (!onData) {
          await record();
          return callback();
        }
        const replay = Object.assign(new PassThrough(), {
          byteLength: raw.length,
          sizeExceeded: false,
        });
        replay.end(raw);
        onData.call(server, replay, session, (err, reply) => {
          if (err) return callback(err);
          record().then(() => callback(null, reply), callback);
        });
      }, callback);
    },
  });
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    messages,
    server,
    get connectionCount() {
      return connectionCount;
    },
    get closeCount() {
      return closeCount;
    },
    dropConnections() {
      for (const connection of server.connections) connection.close();
    },
    waitForMessages(count: number, ms = 5000) {
      return waitFor(() => messages.length >= count, ms, `${count} message(s)`);
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A throwaway self-signed certificate for 127.0.0.1 and localhost. */
export interface TestCertificate {
  /** PEM private key (only ever on disk in a temp dir). */
  key: Buffer;
  /** PEM certificate; also usable as its own CA. */
  cert: Buffer;
  keyPath: string;
  certPath: string;
  /** Deletes the temp directory. */
  remove(): Promise<void>;
}

/**
 * Generates a fresh self-signed certificate (CN=localhost, SAN IP:127.0.0.1
 * and DNS:localhost) with the `openssl` CLI into a temp directory. Nothing
 * is committed to the repository.
 */
export async function createTestCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'nestjs-mail-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  // prettier-ignore
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', keyPath, '-out', certPath,
  ]).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new Error(missingToolMessage('openssl')) : err;
  });
  return {
    key: await readFile(keyPath),
    cert: await readFile(certPath),
    keyPath,
    certPath,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
