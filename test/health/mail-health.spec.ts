import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import {
  INSTALL_TERMINUS,
  loadTerminus,
} from '../../lib/health/load-terminus.js';
import { MailHealthIndicator } from '../../lib/health/mail-health.indicator.js';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailService } from '../../lib/mail.service.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { healthApp } from './app.module.js';

let app: INestApplication | undefined;
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function start(mail: MailModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [healthApp(mail)],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A sink that wants AUTH as `user` / `secret`. */
async function authSink(): Promise<SmtpSink> {
  const sink = await startSmtpSink({
    authOptional: false,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'user' && auth.password === 'secret')
        callback(null, { user: 'user' });
      else callback(new Error('Invalid username or password'));
    },
  });
  cleanups.push(() => sink.close());
  return sink;
}

async function plainSink(): Promise<SmtpSink> {
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  return sink;
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts connections and never says a word. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

/** What a mailer reports when a fresh connection to `port` got through (its pool unused). */
function upOverAFreshConnection(port: number) {
  return {
    status: 'up',
    checked: 'connect',
    host: '127.0.0.1',
    port,
    pool: { open: 0, busy: 0, idle: 0, waiting: 0 },
  };
}

function indicator(): MailHealthIndicator {
  return app!.get(MailHealthIndicator);
}

describe('MailHealthIndicator', () => {
  it('is up when every SMTP mailer connects and logs in; other backends are left out', async () => {
    const secured = await authSink();
    const plain = await plainSink();
    await start({
      options: {
        host: '127.0.0.1',
        port: secured.port,
        username: 'user',
        password: 'secret',
      },
      mailers: {
        bulk: { options: { url: `smtp://127.0.0.1:${plain.port}` } },
        console: { backend: 'console' },
      },
    });

    expect(await indicator().isHealthy()).toEqual({
      mail: {
        status: 'up',
        mailers: {
          default: upOverAFreshConnection(secured.port),
          bulk: upOverAFreshConnection(plain.port),
        },
      },
    });
    // A fresh connection per check, closed afterwards; no mail sent.
    await waitFor(() => secured.closeCount === 1, 2000, 'the check to close');
    expect(secured.connectionCount).toBe(1);
    expect(secured.messages).toEqual([]);
    await indicator().isHealthy();
    await waitFor(() => secured.closeCount === 2, 2000, 'the check to close');
    expect(secured.connectionCount).toBe(2);
  });

  it("checks over an idle connection of the mailer's pool when it has one: nothing new is opened, the pool is reported", async () => {
    const plain = await plainSink();
    await start({ options: { host: '127.0.0.1', port: plain.port } });
    await app!
      .get(MailService)
      .sendMail('Hi', 'Body', 'a@example.com', ['b@example.com']);
    expect(plain.connectionCount).toBe(1);
    expect(await indicator().isHealthy()).toEqual({
      mail: {
        status: 'up',
        mailers: {
          default: {
            status: 'up',
            checked: 'reset',
            host: '127.0.0.1',
            port: plain.port,
            pool: { open: 1, busy: 0, idle: 1, waiting: 0 },
          },
        },
      },
    });
    expect(plain.connectionCount).toBe(1);
    expect(plain.messages).toHaveLength(1);
  });

  it('is down, naming the mailer and the reason, when a server is down', async () => {
    const plain = await plainSink();
    const port = await closedPort();
    await start({
      options: { host: '127.0.0.1', port: plain.port },
      mailers: { backup: { options: { host: '127.0.0.1', port } } },
    });

    const result = await indicator().isHealthy('smtp');
    expect(result.smtp.status).toBe('down');
    expect(result.smtp.mailers).toEqual({
      default: upOverAFreshConnection(plain.port),
      backup: {
        status: 'down',
        host: '127.0.0.1',
        port,
        message: expect.stringContaining('ECONNREFUSED'),
        pool: { open: 0, busy: 0, idle: 0, waiting: 0 },
      },
    });
  });

  it('is down when the password is wrong', async () => {
    const secured = await authSink();
    await start({
      options: {
        host: '127.0.0.1',
        port: secured.port,
        username: 'user',
        password: 'wrong',
      },
    });
    const { mail } = await indicator().isHealthy();
    expect(mail.status).toBe('down');
    expect(mail.mailers).toEqual({
      default: {
        status: 'down',
        host: '127.0.0.1',
        port: secured.port,
        message: expect.stringMatching(/Invalid login: 535/),
        pool: { open: 0, busy: 0, idle: 0, waiting: 0 },
      },
    });
    expect(JSON.stringify(mail)).not.toContain('wrong');
  });

  it('is down within the timeout when the server never greets', async () => {
    const port = await silentServer();
    await start({ options: { host: '127.0.0.1', port } });
    const started = Date.now();
    const { mail } = await indicator().isHealthy('mail', { timeout: 300 });
    const took = Date.now() - started;
    expect(mail.status).toBe('down');
    expect(mail.mailers.default.message).toMatch(
      /300 ms|Greeting never received|timeout/i,
    );
    // It waited for the timeout (timers never fire early); that it did not hang
    // is left to the test's own timeout, not to a wall-clock bound on a shared machine.
    expect(took).toBeGreaterThanOrEqual(250);
  });

  it('checks only the aliases asked for', async () => {
    const plain = await plainSink();
    await start({
      options: { host: '127.0.0.1', port: await closedPort() },
      mailers: { bulk: { options: { host: '127.0.0.1', port: plain.port } } },
    });
    expect(await indicator().isHealthy('bulk', { aliases: ['bulk'] })).toEqual({
      bulk: {
        status: 'up',
        mailers: {
          bulk: upOverAFreshConnection(plain.port),
        },
      },
    });
    await expect(
      indicator().isHealthy('mail', { aliases: ['nope'] }),
    ).rejects.toThrow(/nope/);
  });

  it("drives terminus's HealthCheckService: 200 when up, 503 with the reason when down", async () => {
    const plain = await plainSink();
    await start({ options: { host: '127.0.0.1', port: plain.port } });
    const up = await fetch(`${await app!.getUrl()}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({
      status: 'ok',
      info: { mail: { status: 'up' } },
    });
    await app!.close();

    await start({ options: { host: '127.0.0.1', port: await closedPort() } });
    const down = await fetch(`${await app!.getUrl()}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'error',
      error: {
        mail: {
          status: 'down',
          mailers: {
            default: {
              status: 'down',
              message: expect.stringContaining('ECONNREFUSED'),
            },
          },
        },
      },
    });
  });

  it('says to install @nestjs/terminus when it is missing', async () => {
    const missing = Object.assign(new Error('Cannot find package'), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadTerminus(() => Promise.reject(missing))).rejects.toThrow(
      INSTALL_TERMINUS,
    );
    expect(INSTALL_TERMINUS).toContain('npm install @nestjs/terminus');
  });
});
