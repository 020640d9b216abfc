import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { createServer, type Server } from 'node:net';
import {
  ImproperlyConfiguredError,
  MailModule,
  MailService,
} from '../../lib/index.js';

let listener: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => listener?.close(resolve) ?? resolve(null));
  listener = undefined;
});

/** A TCP listener on 127.0.0.1 that counts connections and answers nothing. */
async function countingListener(): Promise<{ port: number; count(): number }> {
  let connections = 0;
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) =>
    listener!.listen(0, '127.0.0.1', resolve),
  );
  const { port } = listener.address() as { port: number };
  return { port, count: () => connections };
}

describe("MailModule's SMTP url option", () => {
  // Before: these booted with useTls false; the first send went out in plain text, AUTH included.
  it.each([
    ['tls=ture', 'tls'],
    ['tls=required', 'tls'],
    ['tls=%20true', 'tls'],
    ['tls=true&tls=0', 'tls'],
    ['starttls=on&tls=off', 'tls'],
  ])(
    '?%s stops the app at startup, naming %s, and never connects',
    async (query, name) => {
      const server = await countingListener();
      const booting = Test.createTestingModule({
        imports: [
          MailModule.forRoot({
            options: {
              url: `smtp://user:sekrit@127.0.0.1:${server.port}?${query}`,
            },
          }),
        ],
      })
        .compile()
        .then(async (app) => {
          await app
            .get(MailService)
            .sendMail('s', 'b', 'a@example.com', ['b@example.com']);
          return app;
        });
      await expect(booting).rejects.toThrow(ImproperlyConfiguredError);
      await expect(booting).rejects.toThrow(`"${name}"`);
      await expect(booting).rejects.not.toThrow(/sekrit/);
      expect(server.count()).toBe(0);
    },
  );
});
