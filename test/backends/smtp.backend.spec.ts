import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import {
  SMTPConnection,
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/backends/smtp.backend.js';
import { parseSmtpUrl } from '../../lib/backends/smtp-url.js';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';

const mail = (n: number | string = 1, to = ['to@example.com']) =>
  new EmailMessage(`Subject ${n}`, `Body ${n}`, 'from@example.com', to);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('SmtpEmailBackend', () => {
  let sink: SmtpSink;
  let backend: SmtpEmailBackend;
  const backendFor = (options: SmtpEmailBackendOptions = {}) =>
    (backend = new SmtpEmailBackend({
      host: sink.host,
      port: sink.port,
      ...options,
    }));

  beforeEach(async () => {
    sink = await startSmtpSink();
  });
  afterEach(async () => {
    await backend?.close();
    await sink.close();
  });

  it('sends a plain message', async () => {
    expect(await backendFor().sendMessages([mail()])).toBe(1);
    expect(sink.messages).toHaveLength(1);
    const [{ envelope, parsed, raw }] = sink.messages;
    expect(envelope).toEqual({
      mailFrom: 'from@example.com',
      rcptTo: ['to@example.com'],
    });
    expect(parsed.subject).toBe('Subject 1');
    expect(parsed.text?.trim()).toBe('Body 1');
    expect(raw.toString()).not.toMatch(/[^\r]\n/);
  });

  it('carries any number of messages over one open connection (maxConnections: 1)', async () => {
    backendFor({ maxConnections: 1 });
    expect(await backend.open()).toBe(true);
    expect(await backend.open()).toBe(false);
    expect(await backend.sendMessages([mail(1), mail(2)])).toBe(2);
    expect(await backend.sendMessages([mail(3)])).toBe(1);
    await backend.close();
    expect(sink.connectionCount).toBe(1);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([
      'Subject 1',
      'Subject 2',
      'Subject 3',
    ]);
    await waitFor(() => sink.closeCount === 1);
  });

  it('opens and closes a connection itself when it was closed', async () => {
    expect(
      await backendFor({ maxConnections: 1 }).sendMessages([mail(1), mail(2)]),
    ).toBe(2);
    expect(sink.connectionCount).toBe(1);
    await waitFor(() => sink.closeCount === 1);
    expect(await backend.sendMessages([mail(3)])).toBe(1);
    expect(sink.connectionCount).toBe(2);
    await waitFor(() => sink.closeCount === 2);
  });

  it('accepts any iterable, iterated once', async () => {
    function* messages() {
      yield mail(1);
      yield mail(2);
    }
    expect(await backendFor().sendMessages(messages())).toBe(2);
  });

  it('uses to + cc + bcc as envelope recipients and keeps Bcc out of the data', async () => {
    const message = new EmailMessage(
      'Hi',
      'Body',
      'from@example.com',
      ['to@example.com'],
      { cc: ['cc@example.com'], bcc: ['hidden@example.com'] },
    );
    await backendFor().sendMessages([message]);
    const [{ envelope, raw, parsed }] = sink.messages;
    expect(envelope.rcptTo).toEqual([
      'to@example.com',
      'cc@example.com',
      'hidden@example.com',
    ]);
    expect(raw.toString()).not.toMatch(/hidden@example\.com/);
    expect(parsed.headers.has('bcc')).toBe(false);
  });

  it('sends to the real recipients when a To header is overridden', async () => {
    const message = new EmailMessage(
      'Hi',
      'Body',
      'from@example.com',
      ['real@example.com'],
      { headers: { To: 'shown@example.com' } },
    );
    await backendFor().sendMessages([message]);
    const [{ envelope, parsed }] = sink.messages;
    expect(envelope.rcptTo).toEqual(['real@example.com']);
    expect(parsed.headers.get('to')).toMatchObject({
      value: [{ address: 'shown@example.com' }],
    });
  });

  it('skips messages without recipients, and connects not at all when none has any', async () => {
    backendFor();
    expect(await backend.sendMessages([])).toBe(0);
    expect(await backend.sendMessages([mail(1, []), mail(2, [])])).toBe(0);
    expect(sink.connectionCount).toBe(0);
    expect(await backend.sendMessages([mail(1, []), mail(2)])).toBe(1);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual(['Subject 2']);
  });

  it('never silences a bad header, and sends nothing of the batch', async () => {
    backendFor({ failSilently: true });
    const bad = mail('x\nBcc: evil@attacker.test');
    await expect(backend.sendMessages([mail(1), bad])).rejects.toThrow(
      BadHeaderError,
    );
    expect(sink.connectionCount).toBe(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('closes at the end of an `await using` block', async () => {
    {
      await using conn = backendFor();
      await conn.open();
      await conn.sendMessages([mail()]);
    }
    await waitFor(() => sink.closeCount === 1);
    expect(sink.messages).toHaveLength(1);
  });

  it('closes harmlessly when never opened, and twice', async () => {
    backendFor();
    await backend.close();
    await backend.open();
    await backend.close();
    await backend.close();
  });

  it('serializes concurrent sends on one open connection (maxConnections: 1)', async () => {
    backendFor({ maxConnections: 1 });
    const opened = await Promise.all([
      backend.open(),
      backend.open(),
      backend.open(),
    ]);
    expect(opened.sort()).toEqual([false, false, true]);
    const counts = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        backend.sendMessages([mail(`${i}a`), mail(`${i}b`)]),
      ),
    );
    expect(counts).toEqual(Array(10).fill(2));
    expect(sink.messages).toHaveLength(20);
    expect(sink.connectionCount).toBe(1);
  });

  it('serializes concurrent sends on a closed backend', async () => {
    backendFor();
    const counts = await Promise.all([
      backend.sendMessages([mail(1)]),
      backend.sendMessages([mail(2)]),
      backend.sendMessages([mail(3)]),
    ]);
    expect(counts).toEqual([1, 1, 1]);
    expect(sink.messages).toHaveLength(3);
  });

  it('reconnects when the server closed the idle connection', async () => {
    backendFor();
    await backend.open();
    await backend.sendMessages([mail(1)]);
    sink.dropConnections();
    await waitFor(() => sink.closeCount === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await backend.sendMessages([mail(2)])).toBe(1);
    expect(await backend.sendMessages([mail(3)])).toBe(1);
    expect(sink.connectionCount).toBe(2);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([
      'Subject 1',
      'Subject 2',
      'Subject 3',
    ]);
  });

  it('delivers exactly once when the server drops the connection just before a send', async () => {
    backendFor();
    await backend.open();
    await backend.sendMessages([mail(1)]);
    sink.dropConnections();
    expect(await backend.sendMessages([mail(2)])).toBe(1);
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual([
      'Subject 1',
      'Subject 2',
    ]);
  });

  it('counts a message refused by the server as not sent when failing silently', async () => {
    await sink.close();
    sink = await startSmtpSink({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('reject')) {
          return callback(
            Object.assign(new Error('No such user'), { responseCode: 550 }),
          );
        }
        callback();
      },
    });
    backendFor({ failSilently: true, maxConnections: 1 });
    const refused = mail(2, ['reject@example.com']);
    expect(await backend.sendMessages([mail(1), refused, mail(3)])).toBe(2);
    expect(sink.connectionCount).toBe(1);

    backendFor();
    await expect(backend.sendMessages([refused])).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
  });

  it('counts a message as sent when only some recipients are refused (Django parity)', async () => {
    await sink.close();
    sink = await startSmtpSink({
      onRcptTo(address, _session, callback) {
        callback(
          address.address.startsWith('reject')
            ? Object.assign(new Error('No such user'), { responseCode: 550 })
            : undefined,
        );
      },
    });
    const message = mail(1, ['ok@example.com', 'reject@example.com']);
    expect(await backendFor().sendMessages([message])).toBe(1);
    expect(sink.messages[0].envelope.rcptTo).toEqual(['ok@example.com']);
  });

  it('does not resend a message the server stored before dropping the connection', async () => {
    let stored = 0;
    await sink.close();
    sink = await startSmtpSink({
      onData(stream) {
        stream.resume();
        stream.on('end', () => {
          stored++;
          sink.dropConnections();
        });
      },
    });
    backendFor();
    await backend.open();
    await expect(backend.sendMessages([mail()])).rejects.toMatchObject({
      code: 'ECONNECTION',
    });
    expect(stored).toBe(1);

    backendFor({ failSilently: true });
    await backend.open();
    expect(await backend.sendMessages([mail(1), mail(2)])).toBe(0);
    expect(stored).toBe(3);
  });

  it('returns 0 on a refused connection when failing silently', async () => {
    const port = await freePort();
    backend = new SmtpEmailBackend({
      host: '127.0.0.1',
      port,
      failSilently: true,
    });
    expect(await backend.open()).toBeUndefined();
    expect(await backend.sendMessages([mail()])).toBe(0);

    backend = new SmtpEmailBackend({ host: '127.0.0.1', port });
    await expect(backend.open()).rejects.toMatchObject({
      originalCode: 'ECONNREFUSED',
    });
    await expect(backend.sendMessages([mail()])).rejects.toThrow();
  });

  it('closes harmlessly when the server is gone', async () => {
    backendFor();
    await backend.open();
    await sink.close();
    await backend.close();
  });

  it('sends the EHLO name of this host', async () => {
    let ehlo = '';
    await sink.close();
    sink = await startSmtpSink({
      onMailFrom(_address, session, callback) {
        ehlo = session.hostNameAppearsAs;
        callback();
      },
    });
    await backendFor().sendMessages([mail()]);
    expect(ehlo).toMatch(/^[a-z0-9.-]+$/i);
  });
});

describe('SmtpEmailBackend options', () => {
  it('refuses useTls together with useSsl', () => {
    expect(() => new SmtpEmailBackend({ useTls: true, useSsl: true })).toThrow(
      ImproperlyConfiguredError,
    );
    expect(() => new SmtpEmailBackend({ useTls: true, useSsl: true })).toThrow(
      /only one/,
    );
  });

  it('refuses a timeout that is not a positive number', () => {
    expect(() => new SmtpEmailBackend({ timeout: 0 })).toThrow(/timeout/);
  });

  it('has Django defaults, with the port following the TLS mode', () => {
    const plain = new SmtpEmailBackend();
    expect([plain.host, plain.port, plain.useTls, plain.useSsl]).toEqual([
      'localhost',
      25,
      false,
      false,
    ]);
    // A deliberate difference from Django's EMAIL_TIMEOUT = None: the
    // defaults (10 s, 10 s, 30 s) apply; `timeout: null` opts out.
    expect(plain.timeout).toBeUndefined();
    expect(new SmtpEmailBackend({ timeout: null }).timeout).toBeNull();
    expect([plain.maxConnections, plain.idleTimeout]).toEqual([10, 20]);
    expect(plain.maxMessagesPerConnection).toBe(Infinity);
    expect(new SmtpEmailBackend({ useTls: true }).port).toBe(587);
    expect(new SmtpEmailBackend({ useSsl: true }).port).toBe(465);
  });

  it('does not expose the password', () => {
    const backend = new SmtpEmailBackend({ username: 'u', password: 'sekrit' });
    expect(JSON.stringify(backend)).not.toContain('sekrit');
    expect(Object.values(backend)).not.toContain('sekrit');
  });

  it('keeps SMTPConnection as a deprecated alias', () => {
    expect(SMTPConnection).toBe(SmtpEmailBackend);
  });
});

describe('parseSmtpUrl', () => {
  it('reads smtp:// with percent-encoded credentials', () => {
    expect(
      parseSmtpUrl('smtp://us%40er:p%3As%2Fs@mail.example.com:587'),
    ).toEqual({
      host: 'mail.example.com',
      port: 587,
      username: 'us@er',
      password: 'p:s/s',
    });
  });

  it('reads ?tls=true as STARTTLS and smtps:// as implicit TLS', () => {
    expect(parseSmtpUrl('smtp://h?tls=true&timeout=10')).toEqual({
      host: 'h',
      useTls: true,
      timeout: 10,
    });
    expect(parseSmtpUrl('smtps://u:p@h')).toEqual({
      host: 'h',
      username: 'u',
      password: 'p',
      useSsl: true,
    });
    expect(parseSmtpUrl('smtp://[::1]:2525').host).toBe('::1');
  });

  it('refuses other schemes and never echoes the URL', () => {
    expect(() => parseSmtpUrl('http://user:sekrit@h')).toThrow(/smtps?:\/\//);
    expect(() => parseSmtpUrl('http://user:sekrit@h')).not.toThrow(/sekrit/);
    expect(() => parseSmtpUrl('smtps://u:p@h?tls=true')).toThrow(
      /implicit TLS/,
    );
    expect(() => parseSmtpUrl('smtp://u:sekrit@h?oops=1')).toThrow(/oops/);
    expect(() => parseSmtpUrl('not a url sekrit')).not.toThrow(/sekrit/);
  });
});
