import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, '127.0.0.1');
console.log(`Sample app on http://127.0.0.1:${port}. Try:
  curl -i -X POST http://127.0.0.1:${port}/contact -H 'content-type: application/json' \\
    -d '{"subject":"Hello","message":"Hi there","from_email":"you@example.com"}'`);
if (process.env.NODE_ENV === 'development') {
  console.log(
    `Then open http://127.0.0.1:${port}/_mail to see the mail it sent.`,
  );
}
