import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module.js';
import { DEV_MAIL_STREAM } from '../src/dev-mail-server.js';
import { listenWithFallback, probePort } from '../src/port-fallback.js';

let taken: Server;
let takenPort: number;

beforeEach(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as AddressInfo).port;
});
afterEach(() => new Promise((resolve) => taken.close(resolve)));

function listen(port: number): Promise<Server> {
  return probePort(port, '127.0.0.1').then(() => {
    const server = createServer();
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve(server)),
    );
  });
}

describe('a taken port when npm start runs the sample app', () => {
  it('the default port taken: warns, names the variable and listens on a free port', async () => {
    const warnings: string[] = [];
    const server = await listenWithFallback(
      {
        label: 'The development SMTP server',
        variable: 'DEV_SMTP_PORT',
        value: undefined,
        defaultPort: takenPort,
        hint: 'Or set EMAIL_URL.',
      },
      listen,
      (message) => warnings.push(message),
    );
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    expect(port).not.toBe(takenPort);
    expect(port).toBeGreaterThan(0);
    expect(warnings).toEqual([
      `The development SMTP server: port ${takenPort} is already in use, so a free port is used instead (set DEV_SMTP_PORT to choose one). Or set EMAIL_URL.`,
    ]);
  });

  it('an explicitly set port taken: fails with a message naming the variable, no bare EADDRINUSE', async () => {
    await expect(
      listenWithFallback(
        {
          label: 'The sample app (HTTP)',
          variable: 'PORT',
          value: String(takenPort),
          defaultPort: 3000,
        },
        listen,
        () => undefined,
      ),
    ).rejects.toThrow(
      `The sample app (HTTP): port ${takenPort} (PORT=${takenPort}) is already in use. Set PORT to a free port, or to 0 for any free port.`,
    );
  });

  it('the app with DEV_SMTP_PORT set to a taken port fails at startup saying DEV_SMTP_PORT or EMAIL_URL', async () => {
    process.env.DEV_SMTP_PORT = String(takenPort);
    delete process.env.EMAIL_URL;
    try {
      const compiled = Test.createTestingModule({ imports: [AppModule] })
        .overrideProvider(DEV_MAIL_STREAM)
        .useValue(new PassThrough())
        .compile();
      await expect(compiled).rejects.toThrow(
        /port \d+ \(DEV_SMTP_PORT=\d+\) is already in use\. Set DEV_SMTP_PORT to a free port, or to 0 for any free port\. Or set EMAIL_URL/,
      );
    } finally {
      delete process.env.DEV_SMTP_PORT;
    }
  });
});
