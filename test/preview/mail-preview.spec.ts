import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { PassThrough } from 'node:stream';
import {
  startDebugSmtpServer,
  type DebugSmtpServer,
} from '../../lib/debug-server/debug-server.js';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailService } from '../../lib/mail.service.js';
import { MailOutbox } from '../../lib/outbox/mail-outbox.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { loadMailparser } from '../../lib/utils/load-mailparser.js';
import { MESSAGE_HTML_CSP } from '../../lib/preview/mail-preview.constants.js';
import type { MailPreviewModuleRootOptions } from '../../lib/preview/mail-preview.module-definition.js';
import { previewApp } from './app.module.js';
import { createApp, fetchPage, listenLocal } from './serve.js';

let app: INestApplication | undefined;
let server: DebugSmtpServer | undefined;
let base: string;

let logged: string[] = [];
/** Records every line the app logs, so a test can say none was a warning. */
const recordingLogger = {
  log: (m: unknown) => logged.push(`LOG ${m}`),
  error: (m: unknown) => logged.push(`ERROR ${m}`),
  warn: (m: unknown) => logged.push(`WARN ${m}`),
  debug: () => undefined,
  verbose: () => undefined,
};

async function start(
  mail: MailModuleOptions,
  preview?: Partial<MailPreviewModuleRootOptions>,
): Promise<INestApplication> {
  app = await createApp(previewApp(mail, preview), {
    logger: recordingLogger,
  });
  logged = [];
  base = await listenLocal(app);
  return app;
}

function page(path: string): Promise<{ res: Response; body: string }> {
  return fetchPage(base, path);
}

/** The first message link on the list page. */
async function firstMessagePath(listPath = '/_mail'): Promise<string> {
  const { body } = await page(listPath);
  const match = /href="([^"]*\/m\/[^"]+)"/.exec(body);
  if (!match) throw new Error(`No message link in:\n${body}`);
  return match[1];
}

afterEach(async () => {
  await app?.close();
  await server?.close();
  app = server = undefined;
});

describe('MailPreviewModule', () => {
  it('lists the outbox by default (locmem), newest first, with the send time', async () => {
    await start({ backend: 'locmem', defaultFromEmail: 'site@example.com' });
    const mail = app!.get(MailService);
    const before = Date.now();
    await mail.sendMail('First', 'one', null, ['a@example.com']);
    await mail.sendMail('Second', 'two', 'b@example.com', ['c@example.com']);

    const { res, body } = await page('/_mail');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain(
      "default-src 'none'",
    );
    expect(body.indexOf('Second')).toBeLessThan(body.indexOf('First'));
    expect(body).toContain('site@example.com');
    const times = [...body.matchAll(/datetime="([^"]+)"/g)].map((m) =>
      Date.parse(m[1]),
    );
    expect(times).toHaveLength(2);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(before - 1000);

    const { body: message } = await page(await firstMessagePath());
    expect(message).toContain('<h1>Second</h1>');
    expect(message).toMatch(/Date: .*\d{4}/);
    expect(message).not.toContain('<iframe');
  });

  it('renders a message recorded without its bytes, dated by its Date header', async () => {
    await start({ backend: 'locmem' });
    const date = new Date('2024-02-03T04:05:06Z');
    app!.get(MailOutbox).record({
      message: new EmailMessage(
        'By hand',
        'b',
        'a@example.com',
        ['b@example.com'],
        { headers: { Date: date } },
      ),
    });
    const list = (await page('/_mail')).body;
    expect(list).toContain('datetime="2024-02-03T04:05:06.000Z"');
    const message = (await page(await firstMessagePath())).body;
    expect(message).toContain('Date: Sat, 03 Feb 2024 04:05:06 +0000');
  });

  it('escapes subjects, addresses, text, headers and filenames', async () => {
    await start({ backend: 'locmem' });
    const hostile = '<img src=x onerror=alert(1)>"\'&';
    const msg = new EmailMessage(
      hostile,
      `</pre><script>alert(2)</script>`,
      `"<img src=x onerror=alert(1)>'&" <evil@example.com>`,
      ['to@example.com'],
      { headers: { 'X-Evil': '<script>alert(3)</script>' } },
    );
    msg.attach(`${hostile}.txt`, 'x', 'text/plain');
    await app!.get(MailService).send(msg);

    const list = (await page('/_mail')).body;
    const message = (await page(await firstMessagePath())).body;
    for (const html of [list, message]) {
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<script>');
      expect(html).toContain(
        '&#60;img src=x onerror=alert(1)&#62;&#34;&#39;&#38;',
      );
    }
    expect(message).toContain('&#60;/pre&#62;&#60;script&#62;alert(2)');
  });

  it('serves the HTML part under a CSP that blocks scripts and remote loads, and attachments as downloads', async () => {
    await start({ backend: 'locmem' });
    const msg = new EmailMultiAlternatives('Hi', 'text', 'a@example.com', [
      'b@example.com',
    ]);
    msg.attachAlternative('<p>Hi <b>there</b></p>', 'text/html');
    msg.attach('naïve "plan".html', '<script>alert(1)</script>', 'text/html');
    await app!.get(MailService).send(msg);
    const self = await firstMessagePath();

    const { body } = await page(self);
    expect(body).toContain(`<iframe sandbox="" src="${self}/html"`);

    const html = await page(`${self}/html`);
    expect(html.res.headers.get('content-security-policy')).toBe(
      MESSAGE_HTML_CSP,
    );
    const directives = MESSAGE_HTML_CSP.split(/;\s*/);
    expect(directives).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        'img-src data: cid:',
        'sandbox',
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
      ]),
    );
    expect(MESSAGE_HTML_CSP).not.toMatch(/script-src|allow-/);
    expect(html.body).toContain('<p>Hi <b>there</b></p>');

    const file = await page(`${self}/attachments/0`);
    expect(file.res.status).toBe(200);
    expect(file.res.headers.get('content-disposition')).toBe(
      `attachment; filename="na_ve _plan_.html"; filename*=UTF-8''na%C3%AFve%20%22plan%22.html`,
    );
    expect(file.res.headers.get('content-security-policy')).toContain(
      'sandbox',
    );
    expect(file.body.trimEnd()).toBe('<script>alert(1)</script>');

    const raw = await page(`${self}/raw`);
    expect(raw.res.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.body).toContain('Subject: Hi\r\n');

    expect((await page(`${self}/attachments/7`)).res.status).toBe(404);
    expect((await page('/_mail/m/nope')).res.status).toBe(404);
  });

  it('names messages by unguessable keys (128 random bits), stable across loads', async () => {
    server = await startDebugSmtpServer({
      port: 0,
      stream: new PassThrough(),
      keep: 3,
    });
    await start(
      { options: { host: server.host, port: server.port } },
      { sources: [server] },
    );
    const mail = app!.get(MailService);
    for (const n of [1, 2, 3])
      await mail.sendMail(`n${n}`, 'b', 'a@example.com', ['b@example.com']);
    const keys = async () =>
      [
        ...(await page('/_mail')).body.matchAll(/href="\/_mail\/m\/([^"]+)"/g),
      ].map((m) => m[1]);
    const first = await keys();
    expect(first).toHaveLength(3);
    for (const key of first) expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(first).size).toBe(3);
    expect(await keys()).toEqual(first);
    // The source's own ids ('1', '2', '3') and the old '<source>-<id>' form lead nowhere.
    for (const guess of ['1', '3', '0-1', '0-3'])
      expect((await page(`/_mail/m/${guess}`)).res.status).toBe(404);
    expect((await page(`/_mail/m/${first[0]}`)).body).toContain('<h1>n3</h1>');

    // A message the source no longer keeps is gone; the others keep their keys.
    await mail.sendMail('n4', 'b', 'a@example.com', ['b@example.com']);
    const after = await keys();
    expect(after.slice(1)).toEqual(first.slice(0, 2));
    expect((await page(`/_mail/m/${first[2]}`)).res.status).toBe(404);
  });

  it('answers an unknown message or attachment with an HTML 404, and logs no warning', async () => {
    await start({ backend: 'locmem' });
    await app!
      .get(MailService)
      .sendMail('Here', 'b', 'a@example.com', ['b@example.com']);
    const self = await firstMessagePath();
    for (const path of [
      '/_mail/m/nope',
      '/_mail/m/nope/html',
      '/_mail/m/nope/raw',
      '/_mail/m/nope/attachments/0',
      `${self}/attachments/7`,
      `${self}/html`,
    ]) {
      const { res, body } = await page(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(body).toMatch(/No such message|No such attachment|has no HTML/);
      expect(body).toContain('href="/_mail"');
    }
    // Before: each of these logged "WARN [ExpressAdapter] Content-Type doesn't match Reply body".
    expect(logged.filter((line) => /^(WARN|ERROR)/.test(line))).toEqual([]);
  });

  it('shows addresses exactly as the headers carry them', async () => {
    await start({ backend: 'locmem' });
    await app!
      .get(MailService)
      .send(
        new EmailMessage(
          'Addresses',
          'b',
          '"Site Admin" <admin@example.com>',
          ['Ana <ana@example.com>', 'Zoë Ünal <zoe@example.com>'],
          { cc: ['"Doe, Jane" <jane@example.com>'] },
        ),
      );
    const self = await firstMessagePath();
    const raw = (await page(`${self}/raw`)).body;
    const header = (name: string) =>
      new RegExp(`^${name}: (.*(?:\r\n[ \t].*)*)`, 'm')
        .exec(raw)![1]
        .replace(/\r\n[ \t]/g, ' ');
    // The serializer quotes only where RFC 5322 needs it; mailparser would re-quote.
    expect(header('From')).toBe('Site Admin <admin@example.com>');
    expect(header('Cc')).toBe('"Doe, Jane" <jane@example.com>');
    expect(header('To')).toMatch(/^Ana <ana@example\.com>, =\?utf-8\?/i);

    const list = (await page('/_mail')).body;
    const message = (await page(self)).body;
    const escaped = (text: string) =>
      text.replace(/[&<>"'`]/g, (c) => `&#${c.codePointAt(0)};`);
    const to = 'Ana <ana@example.com>, Zoë Ünal <zoe@example.com>';
    expect(list).toContain(
      `<td>${escaped(header('From'))}</td>\n<td>${escaped(to)}</td>`,
    );
    expect(message).toContain(
      `<dt>From</dt><dd>${escaped(header('From'))}</dd>\n<dt>To</dt><dd>${escaped(to)}</dd>\n` +
        `<dt>Cc</dt><dd>${escaped(header('Cc'))}</dd>`,
    );
    for (const html of [list, message])
      expect(html).not.toContain(escaped('"Site Admin"'));
  });

  it('says where each message came from: the outbox or the SMTP server', async () => {
    server = await startDebugSmtpServer({ port: 0, stream: new PassThrough() });
    await start(
      { options: { host: server.host, port: server.port } },
      { sources: ['outbox', server] },
    );
    await app!
      .get(MailService)
      .sendMail('Over SMTP', 'body', 'a@example.com', ['b@example.com']);
    app!.get(MailOutbox).record({
      message: new EmailMessage(
        'Kept',
        'b',
        'a@example.com',
        ['b@example.com'],
        {
          headers: { Date: new Date('2020-01-01T00:00:00Z') },
        },
      ),
    });
    const list = (await page('/_mail')).body;
    const rows = list.split('<tr>').slice(2);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /Over SMTP[\s\S]*<span class="source">SMTP server</,
    );
    expect(rows[1]).toMatch(/Kept[\s\S]*<span class="source">outbox</);
    const message = (await page(await firstMessagePath())).body;
    expect(message).toContain(
      '<dt>Source</dt><dd><span class="source">SMTP server</span></dd>',
    );
  });

  it('notes that remote images are blocked when the HTML asks for some', async () => {
    await start({ backend: 'locmem' });
    const send = async (html: string) => {
      const msg = new EmailMultiAlternatives('H', 't', 'a@example.com', [
        'b@example.com',
      ]);
      msg.attachAlternative(html, 'text/html');
      await app!.get(MailService).send(msg);
      return (await page(await firstMessagePath())).body;
    };
    expect(
      await send(
        '<img src="https://t.example/p.gif"><img src=//cdn.example/x.png>' +
          '<div style="background:url( \'http://x.example/bg.png\')">x</div>',
      ),
    ).toContain(
      'Remote images blocked: this preview loads nothing from the network (3 remote references in the HTML).',
    );
    const local = await send(
      '<img src="data:image/png;base64,AAAA"><img src="cid:logo"><a href="https://example.com">link</a>',
    );
    expect(local).not.toContain('Remote images blocked');
    expect(local).toContain('<iframe sandbox=""');
  });

  it('shows inline images (attachInline) in the HTML part, as data: URLs the CSP allows', async () => {
    await start({ backend: 'locmem' });
    const msg = new EmailMultiAlternatives('Logo', 'text', 'a@example.com', [
      'b@example.com',
    ]);
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const logo = msg.attachInline('logo.png', png);
    msg.attachAlternative(`<p><img src="${logo}" alt="logo"></p>`, 'text/html');
    await app!.get(MailService).send(msg);
    const self = await firstMessagePath();
    const html = await page(`${self}/html`);
    expect(html.body).toContain(
      `<img src="data:image/png;base64,${png.toString('base64')}" alt="logo">`,
    );
    expect(html.res.headers.get('content-security-policy')).toContain(
      'img-src data:',
    );
    expect((await page(self)).body).toContain('image/png, 8 bytes, inline');
  });

  it('reads what a development SMTP server received, Bcc in the envelope', async () => {
    server = await startDebugSmtpServer({ port: 0, stream: new PassThrough() });
    await start(
      { options: { host: server.host, port: server.port } },
      { path: '/dev/mail', sources: [server] },
    );
    await app!
      .get(MailService)
      .sendMail('Over SMTP', 'body', 'a@example.com', ['b@example.com']);
    await app!.get(MailService).send(
      new EmailMessage('Hidden', 'x', 'a@example.com', ['b@example.com'], {
        bcc: ['secret@example.com'],
      }),
    );
    expect((await page('/_mail')).res.status).toBe(404);
    const list = (await page('/dev/mail')).body;
    expect(list).toContain('Over SMTP');
    const message = (await page(await firstMessagePath('/dev/mail'))).body;
    expect(message).toContain('<h1>Hidden</h1>');
    expect(message).toContain(
      'RCPT TO &#60;b@example.com&#62; &#60;secret@example.com&#62;',
    );
  });

  it('keeps links right below a global prefix', async () => {
    app = await createApp(previewApp({ backend: 'locmem' }));
    app.setGlobalPrefix('api');
    base = await listenLocal(app);
    await app
      .get(MailService)
      .sendMail('P', 'b', 'a@example.com', ['b@example.com']);
    const link = await firstMessagePath('/api/_mail');
    expect(link).toMatch(/^\/api\/_mail\/m\//);
    expect((await page(link)).body).toContain('href="/api/_mail"');
  });

  it('says how to give a source that is a class: its instance, through forRootAsync', async () => {
    class DevServer {
      previewMessages() {
        return [];
      }
    }
    app = await createApp(
      previewApp({ backend: 'locmem' }, { sources: [DevServer as never] }),
    );
    await expect(app.init()).rejects.toThrow(
      /the source DevServer is a class; give an instance, injected through forRootAsync/,
    );
  });

  it('says to install mailparser when it is missing', async () => {
    const missing = Object.assign(
      new Error("Cannot find package 'mailparser'"),
      {
        code: 'ERR_MODULE_NOT_FOUND',
      },
    );
    await expect(
      loadMailparser('MailPreviewModule', () => Promise.reject(missing)),
    ).rejects.toThrow(/install mailparser to use MailPreviewModule/i);
  });
});

describe('startDebugSmtpServer keeps recent messages', () => {
  it('keeps the last `keep` messages with their envelope', async () => {
    server = await startDebugSmtpServer({
      port: 0,
      stream: new PassThrough(),
      keep: 2,
    });
    await start({ options: { host: server.host, port: server.port } });
    const mail = app!.get(MailService);
    for (const n of [1, 2, 3])
      await mail.sendMail(`n${n}`, 'b', 'a@example.com', ['b@example.com']);
    expect(server.messages.map((m) => [m.id, m.envelope])).toEqual([
      ['2', { from: 'a@example.com', to: ['b@example.com'] }],
      ['3', { from: 'a@example.com', to: ['b@example.com'] }],
    ]);
    expect(server.messages[1].raw.toString()).toContain('Subject: n3\r\n');
    expect(server.previewMessages()).toBe(server.messages);
  });
});
