import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { simpleParser } from 'mailparser';
import { connect } from 'node:net';
import { BaseEmailBackend, LocmemEmailBackend, MailOutbox } from 'nestjs-mail';
import {
  assertSentMail,
  assertSentMailCount,
  MailTestingModule,
} from 'nestjs-mail/testing';
import { AppModule } from '../src/app.module.js';
import { DEV_MAIL_STREAM, DevMailServer } from '../src/dev-mail-server.js';

let app: INestApplication | undefined;
let printed: string;
let base: string;

async function start(
  override?: (builder: ReturnType<typeof Test.createTestingModule>) => void,
) {
  process.env.DEV_SMTP_PORT = '0';
  process.env.NODE_ENV = 'development';
  delete process.env.EMAIL_URL;
  const stream = new PassThrough();
  printed = '';
  stream.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const builder = Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(DEV_MAIL_STREAM)
    .useValue(stream);
  override?.(builder);
  const moduleRef = await builder.compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
  return app;
}

function post(path: string, body: unknown) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function printedMessages(count: number): Promise<string[]> {
  const deadline = Date.now() + 5000;
  let parts: string[] = [];
  while (Date.now() < deadline) {
    parts = printed.split('---------- MESSAGE FOLLOWS ----------').slice(1);
    if (parts.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return parts;
}

afterEach(async () => {
  await app?.close();
  app = undefined;
  process.env.NODE_ENV = 'test';
});

describe('sample app on the embedded development SMTP server', () => {
  beforeEach(() => start());

  it('POST /contact mails the site admin and redirects to the thanks page', async () => {
    const res = await post('/contact', {
      subject: 'Hello',
      message: 'Hi there',
      from_email: 'you@example.com',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/contact/thanks/');
    const [message] = await printedMessages(1);
    expect(message).toContain('MAIL FROM: <you@example.com>');
    expect(message).toContain('RCPT TO: <admin@example.com>');
    expect(message).toContain('Subject: Hello');
    expect(message).toContain('Hi there');

    const thanks = await fetch(`${base}/contact/thanks/`);
    expect(thanks.status).toBe(200);
    expect(await thanks.text()).toBe('Thanks for your message.');
  });

  it('answers 400 "Invalid header found." for a header injection, and sends nothing', async () => {
    const res = await post('/contact', {
      subject: 'Hello\r\nBcc: evil@attacker.test',
      message: 'x',
      from_email: 'you@example.com',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe('Invalid header found.');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(printed).toBe('');
  });

  it('answers 400 when a field is missing', async () => {
    const res = await post('/contact', { subject: 'Hello', message: '' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe(
      'Make sure all fields are entered and valid.',
    );
  });

  it('POST /signup sends a text + HTML welcome mail with an attachment', async () => {
    const res = await post('/signup', {
      email: 'new@example.com',
      name: 'Ana',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ sent: 1 });
    const [message] = await printedMessages(1);
    expect(message).toContain('RCPT TO: <new@example.com>');
    expect(message).toContain('Subject: Welcome, Ana!');
    expect(message).toMatch(/Content-Type: multipart\/alternative/);
    expect(message).toContain('<h1>Hello Ana</h1>');
    expect(message).toContain('filename=getting-started.txt');
  });

  it('signs the signup mail with the DKIM key generated on first start', async () => {
    await post('/signup', { email: 'new@example.com', name: 'Ana' });
    await printedMessages(1);
    const [received] = app!.get(DevMailServer).previewMessages();
    const key = createPublicKey(
      readFileSync(join(import.meta.dirname, '..', '.dkim', 'private.pem')),
    );
    const record = `v=DKIM1; k=rsa; p=${key.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    const { dkimVerify } = createRequire(import.meta.url)(
      'mailauth/lib/dkim/verify',
    ) as {
      dkimVerify: (
        raw: Buffer,
        options: { resolver: (name: string) => Promise<string[][]> },
      ) => Promise<{ results: Array<{ status: { result: string } }> }>;
    };
    const { results } = await dkimVerify(received.raw, {
      resolver: async (name) => {
        expect(name).toBe('sample._domainkey.example.com');
        return [[record]];
      },
    });
    expect(results.map((r) => r.status.result)).toEqual(['pass']);
    const parsed = await simpleParser(received.raw);
    expect(parsed.text).toContain('Thanks for signing up.');
    expect(parsed.html).toMatch(/<a class="button"[^>]* style="background:/);
  });

  it('mails the admins about a server error', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const [message] = await printedMessages(1);
    expect(message).toContain('MAIL FROM: <root@localhost>');
    expect(message).toContain('Subject: [Sample] Error 500 on GET /boom');
    expect(message).toContain('Something broke');
  });

  it('GET /_mail lists what the embedded server received; each message has its own page', async () => {
    await post('/signup', { email: 'new@example.com', name: 'Ana' });
    await printedMessages(1);
    const list = await fetch(`${base}/_mail`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('Welcome, Ana!');
    expect(html).toContain('new@example.com');
    const link = /href="(\/_mail\/m\/[^"]+)"/.exec(html)![1];
    const message = await (await fetch(`${base}${link}`)).text();
    expect(message).toContain(`<iframe sandbox="" src="${link}/html"`);
    expect(message).toContain('getting-started.txt');
    const body = await fetch(`${base}${link}/html`);
    expect(body.headers.get('content-security-policy')).toContain(
      "default-src 'none'",
    );
    expect(await body.text()).toContain('<h1>Hello Ana</h1>');
  });

  it('GET /_mail/templates previews the signup template with its sample, sending nothing', async () => {
    const list = await (await fetch(`${base}/_mail`)).text();
    expect(list).toContain('href="/_mail/templates"');
    const templates = await (await fetch(`${base}/_mail/templates`)).text();
    expect(templates).toContain('href="/_mail/templates/welcome"');
    const preview = await fetch(`${base}/_mail/templates/welcome`);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('Welcome, Ada!');
    const html = await fetch(
      `${base}/_mail/templates/welcome/html?sample=default`,
    );
    expect(await html.text()).toContain('<h1>Hello Ada</h1>');
    expect(printed).toBe('');
  });

  it('app.close() stops the embedded server', async () => {
    const url = await app!.get(DevMailServer).url();
    const port = Number(new URL(url).port);
    await app!.close();
    app = undefined;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('sample app with the in-memory backend swapped in (the README testing pattern)', () => {
  it('delivers POST /contact into the MailOutbox instead of SMTP', async () => {
    await start((builder) =>
      builder.overrideProvider(BaseEmailBackend).useClass(LocmemEmailBackend),
    );
    const res = await post('/contact', {
      subject: 'Hello',
      message: 'Hi there',
      from_email: 'you@example.com',
    });
    expect(res.status).toBe(302);
    const outbox = app!.get(MailOutbox);
    expect(outbox.messages.map((m) => [m.subject, m.fromEmail, m.to])).toEqual([
      ['Hello', 'you@example.com', ['admin@example.com']],
    ]);
    expect(printed).toBe('');

    const list = await (await fetch(`${base}/_mail`)).text();
    expect(list).toContain('Hello');
    expect(list).toContain('you@example.com');
  });
});

describe('sample app under nestjs-mail/testing (the package entry point, through its exports map)', () => {
  it('MailTestingModule sends every mailer to the outbox, and the matchers read the rendered mail', async () => {
    process.env.DEV_SMTP_PORT = '0';
    delete process.env.EMAIL_URL;
    const moduleRef = await MailTestingModule.createTestingModule({
      imports: [AppModule],
    })
      .overrideProvider(DEV_MAIL_STREAM)
      .useValue(new PassThrough())
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();

    const res = await post('/signup', {
      email: 'new@example.com',
      name: 'Ana',
    });
    expect(res.status).toBe(201);
    const outbox = app.get(MailOutbox);
    assertSentMailCount(outbox, 1);
    await assertSentMail(outbox, {
      to: 'new@example.com',
      subject: /Welcome, Ana/,
      html: /<h1>Hello Ana<\/h1>/,
      attachment: 'getting-started.txt',
      using: 'default',
    });
    await expect(
      assertSentMail(outbox, { to: 'someone-else@example.com' }),
    ).rejects.toThrow(/new@example\.com/);
  });
});
