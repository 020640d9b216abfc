import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { MailOutbox } from '../../lib/index.js';
import { mailTemplate } from '../../lib/templates/index.js';
import { templatePreviewApp } from './app.module.js';
import { launchChromium, type TestBrowser } from './chromium.js';
import { createApp, listenLocal } from './serve.js';

/** A template whose HTML carries a script that would rewrite the heading and the page title. */
const promo = mailTemplate<{ name: string }>('promo', ({ name }) => ({
  subject: `Hello ${name}`,
  html: `<html><body><h1 id="greeting">Hello ${name}</h1>
<p>Your order <strong>#42</strong> is on its way.</p>
<script>document.getElementById('greeting').textContent = 'PWNED'; parent.document.title = 'PWNED';</script>
</body></html>`,
}));

let browser: TestBrowser;
let app: INestApplication | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await app?.close();
  await browser?.close();
}, 30_000);

describe('the template previews in Chromium', () => {
  it('lists the templates, opens one and shows its HTML in the frame without running its script', async () => {
    app = await createApp(
      templatePreviewApp(
        {
          dir: join(
            import.meta.dirname,
            '..',
            'templates',
            'fixtures',
            'basic',
          ),
          layout: 'main',
          helpers: { upper: (s: string) => s.toUpperCase() },
          templates: [promo],
        },
        (templates) => ({
          templates,
          samples: { promo: { ana: { name: 'Ana' } } },
        }),
      ),
      { forceCloseConnections: true },
    );
    const base = await listenLocal(app);

    const page = await browser.context.newPage();
    await page.goto(`${base}/_mail`);
    await page.getByRole('link', { name: 'Templates →' }).click();
    await page.waitForURL(/\/_mail\/templates$/);
    expect(await page.title()).toBe('Templates');
    await expect(page.locator('tbody tr').count()).resolves.toBe(4);

    await page.getByRole('link', { name: 'promo', exact: true }).click();
    await page.waitForURL(/\/_mail\/templates\/promo$/);
    await expect(page.locator('h1').innerText()).resolves.toBe('promo');
    await expect(page.locator('dd.subject').innerText()).resolves.toBe(
      'Hello Ana',
    );
    expect(await page.locator('iframe').getAttribute('sandbox')).toBe('');
    const frame = page.frameLocator('iframe');
    await expect(frame.locator('strong').innerText()).resolves.toBe('#42');
    // Parsed past the script: had it run, the heading would say PWNED.
    await expect(frame.locator('script').count()).resolves.toBe(1);
    await expect(frame.locator('#greeting').innerText()).resolves.toBe(
      'Hello Ana',
    );
    expect(await page.title()).toBe('promo');
    expect(app.get(MailOutbox).entries).toHaveLength(0);
    await page.close();
  });
});
