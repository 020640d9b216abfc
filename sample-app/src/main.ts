import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { listenWithFallback, probePort } from './port-fallback.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
const server = await listenWithFallback(
  {
    label: 'The sample app (HTTP)',
    variable: 'PORT',
    value: process.env.PORT,
    defaultPort: 3000,
  },
  async (port) => {
    if (port !== 0) await probePort(port, '127.0.0.1');
    return (await app.listen(port, '127.0.0.1')) as Server;
  },
  (message) => new Logger('Main').warn(message),
);
const { port } = server.address() as AddressInfo;
console.log(`Sample app on http://127.0.0.1:${port}. Try:
  curl -i -X POST http://127.0.0.1:${port}/contact -H 'content-type: application/json' \\
    -d '{"subject":"Hello","message":"Hi there","from_email":"you@example.com"}'`);
if (process.env.NODE_ENV === 'development') {
  console.log(
    `Then open http://127.0.0.1:${port}/_mail to see the mail it sent.`,
  );
}
