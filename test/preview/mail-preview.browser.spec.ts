import 'reflect-metadata';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  startDebugSmtpServer,
  type DebugSmtpServer,
} from '../../lib/debug-server/debug-server.js';
import { MailService } from '../../lib/mail.service.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { previewApp } from './app.module.js';
import { launchChromium, type TestBrowser } from './chromium.js';
import { createApp, listenLocal } from './serve.js';

/**
 * WCAG 2 contrast ratio of an element's text against the first opaque
 * background behind it (run in the page).
 */
interface StyledNode {
  parentElement: StyledNode | null;
}

function contrastRatio(element: StyledNode): number {
  const styleOf = (node: StyledNode) =>
    (
      globalThis as unknown as {
        getComputedStyle(node: StyledNode): {
          color: string;
          backgroundColor: string;
        };
      }
    ).getComputedStyle(node);
  const rgb = (color: string) =>
    (color.match(/[\d.]+/g) ?? []).map(Number) as number[];
  const luminance = ([r, g, b]: number[]) => {
    const [R, G, B] = [r, g, b].map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let node: StyledNode | null = element;
  let background = [255, 255, 255];
  while (node) {
    const bg = rgb(styleOf(node).backgroundColor);
    if (bg.length === 3 || (bg.length === 4 && bg[3] === 1)) {
      background = bg;
      break;
    }
    node = node.parentElement;
  }
  const [l1, l2] = [
    luminance(rgb(styleOf(element).color)),
    luminance(background),
  ].sort((a, b) => b - a);
  return (l1 + 0.05) / (l2 + 0.05);
}

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const SUBJECT = 'Your order <b>#42</b> & "friends"';

let browser: TestBrowser;
let app: INestApplication | undefined;
let server: DebugSmtpServer | undefined;
let trap: Server;
let trapHits: string[];

beforeAll(async () => {
  browser = await launchChromium();
  trapHits = [];
  trap = createServer((req, res) => {
    trapHits.push(req.url ?? '');
    // Another origin that tries to frame the preview: /frame?src=<url>.
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src');
    if (src) {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<iframe id="victim" src="${src.replace(/"/g, '')}"></iframe>`);
    } else res.end();
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => trap?.close(resolve));
}, 30_000);

afterEach(async () => {
  for (const page of browser?.context.pages() ?? []) await page.close();
  await app?.close();
  await server?.close();
  app = server = undefined;
}, 30_000);

/** Starts `root` on 127.0.0.1 and returns its base URL. */
async function startApp(root: DynamicModule): Promise<string> {
  app = await createApp(root, { forceCloseConnections: true });
  return listenLocal(app);
}

describe('the preview page in Chromium', () => {
  it('lists the mail, shows a message as a person sees it, runs no script, loads nothing remote', async () => {
    server = await startDebugSmtpServer({ port: 0, stream: new PassThrough() });
    const base = await startApp(
      previewApp(
        { options: { host: server.host, port: server.port } },
        { sources: [server] },
      ),
    );

    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const msg = new EmailMultiAlternatives(
      SUBJECT,
      'Hello Ana,\nyour order is on its way.\n',
      'Shop <shop@example.com>',
      ['Ana <ana@example.com>'],
      { bcc: ['audit@example.com'] },
    );
    msg.attachAlternative(
      `<html><head>
<meta http-equiv="refresh" content="0;url=${trapUrl}/refresh">
<link rel="stylesheet" href="${trapUrl}/style.css">
<style>body{font-family:serif;background:#fffbe6 url(${trapUrl}/bg.png)}</style>
</head><body>
<h1 id="greeting">Hello Ana</h1>
<p>Your order <strong>#42</strong> is on its way.</p>
<img src="http://127.0.0.1:9/x.png" alt="tracking pixel">
<img src="${trapUrl}/pixel.png" alt="second pixel">
<script>document.getElementById('greeting').textContent = 'PWNED'; parent.document.title = 'PWNED';</script>
</body></html>`,
      'text/html',
    );
    msg.attach('invoice <42>.txt', 'Total: 42 EUR\n', 'text/plain');
    await app!.get(MailService).send(msg);

    const page = await browser.context.newPage();
    const requests: string[] = [];
    const responses: string[] = [];
    const failures = new Map<string, string | undefined>();
    page.on('request', (request) => requests.push(request.url()));
    page.on('response', (response) => responses.push(response.url()));
    page.on('requestfailed', (request) =>
      failures.set(request.url(), request.failure()?.errorText),
    );
    const isRemote = (url: string) =>
      url.startsWith('http://127.0.0.1:9/') || url.startsWith(trapUrl);

    await page.goto(`${base}/_mail`);
    expect(await page.title()).toBe('Sent mail');
    const row = page.locator('tbody tr');
    await expect(row.count()).resolves.toBe(1);
    expect(await row.innerText()).toContain(SUBJECT);
    // As the headers carry them (mailparser would show '"Shop" <shop@example.com>').
    expect(await row.innerText()).toContain('Shop <shop@example.com>');
    expect(await row.innerText()).toContain('Ana <ana@example.com>');
    expect(await row.innerText()).not.toContain('"Shop"');
    expect(await row.locator('.source').innerText()).toBe('SMTP server');
    // WCAG AA: the subtitle on the dark header, and the time column.
    for (const selector of ['header .muted', 'td.time']) {
      const ratio = await page
        .locator(selector)
        .first()
        .evaluate(contrastRatio);
      expect([selector, ratio]).toEqual([selector, expect.any(Number)]);
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    }
    expect(await row.locator('time').getAttribute('datetime')).toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );

    await page.getByRole('link', { name: SUBJECT }).click();
    await page.waitForURL(/\/_mail\/m\//);
    await expect(page.locator('h1').innerText()).resolves.toBe(SUBJECT);
    const details = await page.locator('dl').innerText();
    expect(details).toContain('shop@example.com');
    expect(details).toContain('ana@example.com');
    expect(details).toContain('RCPT TO <ana@example.com> <audit@example.com>');
    expect(await page.locator('pre.text').innerText()).toContain(
      'your order is on its way.',
    );
    expect(await page.locator('pre.headers').innerText()).toContain(
      'Content-Type: multipart/mixed',
    );

    const iframe = page.locator('iframe');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    await expect(page.locator('p.note').innerText()).resolves.toBe(
      'Remote images blocked: this preview loads nothing from the network (4 remote references in the HTML).',
    );
    // Not a fixed 360 px: most of the window, and the reader can drag it taller.
    await page.locator('.frame').evaluate((frame) =>
      (frame as { scrollIntoView(o: object): void }).scrollIntoView({
        block: 'start',
      }),
    );
    const before = (await page.locator('.frame').boundingBox())!;
    expect(before.height).toBeGreaterThan(500);
    expect((await iframe.boundingBox())!.height).toBeGreaterThan(
      before.height - 4,
    );
    await page.mouse.move(
      before.x + before.width - 4,
      before.y + before.height - 4,
    );
    await page.mouse.down();
    await page.mouse.move(
      before.x + before.width - 4,
      before.y + before.height + 196,
      { steps: 5 },
    );
    await page.mouse.up();
    const after = (await page.locator('.frame').boundingBox())!;
    expect(after.height).toBeGreaterThan(before.height + 150);
    expect((await iframe.boundingBox())!.height).toBeGreaterThan(
      after.height - 4,
    );
    const frame = page.frameLocator('iframe');
    await expect(frame.locator('h1').innerText()).resolves.toBe('Hello Ana');
    await expect(frame.locator('strong').innerText()).resolves.toBe('#42');

    // Give a meta refresh, a stylesheet or an image every chance to load.
    await page.waitForTimeout(1500);
    await expect(frame.locator('h1').innerText()).resolves.toBe('Hello Ana');
    expect(await page.title()).not.toContain('PWNED');
    const remote = requests.filter(isRemote);
    // Chromium reports the attempts, and blocks each one before it leaves the browser.
    expect(responses.filter(isRemote)).toEqual([]);
    expect(remote.length).toBeGreaterThan(0);
    for (const url of remote)
      expect([url, failures.get(url)]).toEqual([url, 'csp']);
    expect(requests.filter((url) => url.endsWith('/refresh'))).toEqual([]);
    expect(trapHits).toEqual([]);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: join(ARTIFACTS, 'mail-preview-message.png'),
      fullPage: true,
    });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'invoice <42>.txt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(
      'invoice <42>.txt'.replace(/[<>]/g, '_'),
    );
    // Text travels with CRLF line ends (RFC 2046), and downloads as it travelled.
    expect(await readFile(await download.path(), 'utf8')).toBe(
      'Total: 42 EUR\r\n',
    );

    await page.goto(`${base}/_mail`);
    await page.screenshot({ path: join(ARTIFACTS, 'mail-preview-list.png') });
    await page.close();
  }, 60_000);

  it('opened on its own, the HTML route neither submits a form, nor follows a meta refresh, nor honours <base>, nor lets another site frame it', async () => {
    const base = await startApp(previewApp({ backend: 'locmem' }));
    trapHits = [];
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const msg = new EmailMultiAlternatives('Phish', 'text', 'a@example.com', [
      'b@example.com',
    ]);
    msg.attachAlternative(
      `<html><head>
<base href="${trapUrl}/based/">
<meta http-equiv="refresh" content="1;url=${trapUrl}/refresh">
</head><body>
<form action="${trapUrl}/form" method="post"><input name="password" value="hunter2"><button id="go">Log in</button></form>
<form method="post"><button id="relative">Relative</button></form>
<a id="link" href="next">next</a>
</body></html>`,
      'text/html',
    );
    await app!.get(MailService).send(msg);

    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${base}/_mail`);
    const self = (await page.locator('tbody a').getAttribute('href'))!;
    const htmlUrl = `${base}${self}/html`;
    await page.goto(htmlUrl);
    const toTrap = () => requests.filter((url) => url.startsWith(trapUrl));
    const landed: Record<string, string> = {};

    await page.goto(htmlUrl);
    await page.locator('#go').click();
    await page.waitForTimeout(500);
    landed.form = page.url();

    await page.goto(htmlUrl);
    await page.locator('#relative').click();
    await page.waitForTimeout(500);
    landed.relativeForm = page.url();

    await page.goto(htmlUrl);
    // Give the meta refresh (1 s) every chance to fire.
    await page.waitForTimeout(2000);
    landed.refresh = page.url();

    await page.goto(htmlUrl);
    await page.locator('#link').click();
    await page.waitForLoadState();
    landed.link = page.url();

    expect(landed).toEqual({
      form: htmlUrl,
      relativeForm: htmlUrl,
      refresh: htmlUrl,
      link: expect.not.stringContaining('/based/'),
    });
    expect(toTrap()).toEqual([]);
    expect(trapHits).toEqual([]);

    // Another origin cannot frame it (frame-ancestors 'self'); the preview page itself can.
    await page.goto(`${trapUrl}/frame?src=${encodeURIComponent(htmlUrl)}`);
    await page.waitForTimeout(500);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(framed).toBeDefined();
    expect(framed!.url()).not.toBe(htmlUrl);
    await page.goto(`${base}${self}`);
    await expect(
      page.frameLocator('iframe').locator('#go').innerText(),
    ).resolves.toBe('Log in');
    await page.close();
  }, 60_000);
});
