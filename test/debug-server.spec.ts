import { afterEach, describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { SmtpEmailBackend } from '../lib/backends/smtp.backend.js';
import {
  END_MESSAGE,
  MESSAGE_FOLLOWS,
  startDebugSmtpServer,
  type DebugSmtpServer,
} from '../lib/debug-server/debug-server.js';
import { runCommand, USAGE } from '../lib/cli/cli-command.js';
import {
  INSTALL_SMTP_SERVER,
  loadSmtpServer,
} from '../lib/debug-server/load-smtp-server.js';
import { EmailMessage } from '../lib/message/email-message.js';
import { waitFor } from './support/smtp-sink.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

describe('startDebugSmtpServer', () => {
  let server: DebugSmtpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('prints what an SmtpEmailBackend sends, envelope included, and delivers nothing', async () => {
    const out = capture();
    server = await startDebugSmtpServer({ port: 0, stream: out.stream });
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);

    const backend = new SmtpEmailBackend({
      host: server.host,
      port: server.port,
    });
    const message = new EmailMessage(
      'Hello debug',
      'Line one\nLine two',
      'from@example.com',
      ['to@example.com'],
      { bcc: ['hidden@example.com'] },
    );
    expect(await backend.sendMessages([message])).toBe(1);
    await waitFor(() => out.text().includes(END_MESSAGE));

    const printed = out.text();
    expect(printed.startsWith(`${MESSAGE_FOLLOWS}\n`)).toBe(true);
    expect(printed).toContain('MAIL FROM: <from@example.com>\n');
    expect(printed).toContain('RCPT TO: <to@example.com>\n');
    expect(printed).toContain('RCPT TO: <hidden@example.com>\n');
    expect(printed).toContain('Subject: Hello debug\n');
    expect(printed).toContain('Line one\nLine two\n');
    expect(printed).not.toContain('\r');
    expect(printed.endsWith(`${END_MESSAGE}\n`)).toBe(true);
  });

  it('accepts mail without AUTH and offers no STARTTLS', async () => {
    server = await startDebugSmtpServer({
      port: 0,
      stream: new PassThrough(),
    });
    const tls = new SmtpEmailBackend({
      host: server.host,
      port: server.port,
      useTls: true,
    });
    await expect(tls.open()).rejects.toThrow(/STARTTLS/);
  });

  it('rejects when the port is taken', async () => {
    server = await startDebugSmtpServer({
      port: 0,
      stream: new PassThrough(),
    });
    await expect(
      startDebugSmtpServer({ port: server.port, stream: new PassThrough() }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('loadSmtpServer', () => {
  it('says how to install smtp-server when it is missing', async () => {
    const missing = Object.assign(
      new Error("Cannot find package 'smtp-server'"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    await expect(loadSmtpServer(() => Promise.reject(missing))).rejects.toThrow(
      INSTALL_SMTP_SERVER,
    );
    expect(INSTALL_SMTP_SERVER).toBe(
      'Install smtp-server to use the debug server: npm install smtp-server',
    );
  });

  it('passes other failures through', async () => {
    const broken = new Error('boom');
    await expect(loadSmtpServer(() => Promise.reject(broken))).rejects.toBe(
      broken,
    );
  });
});

describe('nestjs-mail command', () => {
  const io = () => {
    const stdout = capture();
    const stderr = capture();
    const signals = new EventEmitter();
    return {
      io: { stdout: stdout.stream, stderr: stderr.stream, signals },
      stdout,
      stderr,
      signals,
    };
  };

  it('prints usage on --help', async () => {
    const { io: streams, stdout } = io();
    expect(await runCommand(['--help'], streams)).toBe(0);
    expect(stdout.text()).toBe(USAGE);
  });

  it.each([[[]], [['relay']], [['debug-server', 'extra']], [['--nope']]])(
    'prints usage on stderr and exits 2 for %j',
    async (argv) => {
      const { io: streams, stdout, stderr } = io();
      expect(await runCommand(argv, streams)).toBe(2);
      expect(stderr.text()).toContain(USAGE);
      expect(stdout.text()).toBe('');
    },
  );

  it('refuses a bad port', async () => {
    const { io: streams, stderr } = io();
    expect(await runCommand(['debug-server', '--port', 'abc'], streams)).toBe(
      2,
    );
    expect(stderr.text()).toMatch(/Invalid --port/);
  });

  it('runs the debug server until SIGINT', async () => {
    const { io: streams, stdout, signals } = io();
    const exit = runCommand(
      ['debug-server', '--host', '127.0.0.1', '--port', '0'],
      streams,
    );
    await waitFor(() => stdout.text().includes('listening on'));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(stdout.text())![1]);

    const backend = new SmtpEmailBackend({ host: '127.0.0.1', port });
    const message = new EmailMessage('From the CLI', 'Body', 'a@example.com', [
      'b@example.com',
    ]);
    expect(await backend.sendMessages([message])).toBe(1);
    await waitFor(() => stdout.text().includes(END_MESSAGE));
    expect(stdout.text()).toContain('Subject: From the CLI');

    signals.emit('SIGINT');
    expect(await exit).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    await expect(backend.open()).rejects.toMatchObject({
      originalCode: 'ECONNREFUSED',
    });
  });
});
