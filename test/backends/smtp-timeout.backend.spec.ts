import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { SmtpEmailBackend } from '../../lib/backends/smtp.backend.js';
import { EmailMessage } from '../../lib/message/email-message.js';

/** A TCP server on 127.0.0.1 that runs `onSocket` for each client and never says more. */
async function startRawServer(onSocket: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SmtpEmailBackend timeout', () => {
  let raw: Awaited<ReturnType<typeof startRawServer>>;
  afterEach(() => raw.close());

  it('gives up on a server that accepts and never greets', async () => {
    raw = await startRawServer(() => undefined);
    const backend = new SmtpEmailBackend({
      host: '127.0.0.1',
      port: raw.port,
      timeout: 0.5,
    });
    // nodemailer's greeting and idle-socket timers are both 0.5 s here; under
    // load either may fire first, and both are the timeout doing its job.
    await expect(backend.open()).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: expect.stringMatching(/greeting|timeout/i),
    });
    const silent = new SmtpEmailBackend({
      host: '127.0.0.1',
      port: raw.port,
      timeout: 0.5,
      failSilently: true,
    });
    const message = new EmailMessage('s', 'b', 'f@example.com', [
      't@example.com',
    ]);
    expect(await silent.sendMessages([message])).toBe(0);
  });

  it('by default gives up on a server that never greets (Django would wait for ever)', async () => {
    raw = await startRawServer(() => undefined);
    const backend = new SmtpEmailBackend({ host: '127.0.0.1', port: raw.port });
    expect(backend.timeout).toBeUndefined();
    // The default greeting limit is 10 s; nodemailer's own is 30 s, and
    // `timeout: null` (the opt-out) keeps that.
    await expect(backend.open()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(backend.isOpen).toBe(false);
    expect(new SmtpEmailBackend({ timeout: null }).timeout).toBeNull();
  }, 25_000);

  it('gives up on a server that stops answering mid-session', async () => {
    raw = await startRawServer((socket) => {
      socket.write('220 stalling.test ESMTP\r\n');
      socket.once('data', () => socket.write('250 stalling.test\r\n'));
    });
    const backend = new SmtpEmailBackend({
      host: '127.0.0.1',
      port: raw.port,
      timeout: 0.5,
    });
    expect(await backend.open()).toBe(true);
    const message = new EmailMessage('s', 'b', 'f@example.com', [
      't@example.com',
    ]);
    await expect(backend.sendMessages([message])).rejects.toMatchObject({
      code: 'ETIMEDOUT',
    });
    await backend.close();
  });
});
