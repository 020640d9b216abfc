import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { ImproperlyConfiguredError, MailOutbox } from '../../lib/index.js';
import { MESSAGE_HTML_CSP } from '../../lib/preview/mail-preview.constants.js';
import {
  MailTemplates,
  type MailTemplatesOptions,
} from '../../lib/templates/index.js';
import { templatePreviewApp } from './app.module.js';
import { initError } from '../templates/init-error.js';
import { createApp, fetchPage, listenLocal } from './serve.js';

const basic: MailTemplatesOptions = {
  dir: join(import.meta.dirname, '..', 'templates', 'fixtures', 'basic'),
  layout: 'main',
  helpers: { upper: (s: string) => s.toUpperCase() },
};

const samples = {
  welcome: {
    ada: { name: 'Ada', code: 'X-42' },
    grace: () => ({ name: 'Grace', code: 'G-7' }),
  },
};

let app: INestApplication | undefined;
let base: string;

async function start(root: DynamicModule): Promise<INestApplication> {
  app = await createApp(root);
  base = await listenLocal(app);
  return app;
}

function page(path: string): Promise<{ res: Response; body: string }> {
  return fetchPage(base, path);
}

/** The error that stops the app from starting with these preview options. */
function bootError(
  preview: Parameters<typeof templatePreviewApp>[1],
): Promise<Error> {
  return initError(templatePreviewApp(basic, preview));
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('template previews', () => {
  it('lists every template with its kind, locales and samples, linked from the sent-mail page', async () => {
    await start(
      templatePreviewApp(basic, (templates) => ({
        templates,
        samples: { ...samples, gone: { x: {} } },
      })),
    );
    const { res, body } = await page('/_mail/templates');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain(
      "default-src 'none'",
    );
    const rows = [...body.matchAll(/<tr>\s*<td>(.*?)<\/tr>/gs)].map((m) =>
      m[1]
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(rows).toEqual([
      'auth/reset file default none (empty context)',
      'plain file default none (empty context)',
      'welcome file default, fr ada grace',
    ]);
    expect(body).toContain('href="/_mail/templates/auth%2Freset"');
    expect(body).toContain('href="/_mail/templates/welcome?sample=grace"');
    expect(body).toMatch(/Samples given for templates that do not exist: gone/);

    const sent = (await page('/_mail')).body;
    expect(sent).toContain('href="/_mail/templates"');
  });

  it('renders a template with its first sample, another on request, and its HTML under the message CSP; sends nothing', async () => {
    let built = 0;
    await start(
      templatePreviewApp(basic, (templates) => ({
        templates,
        samples: {
          welcome: {
            ada: samples.welcome.ada,
            fresh: () => ({ name: `Visitor ${++built}`, code: 'F' }),
          },
        },
      })),
    );
    const first = await page('/_mail/templates/welcome');
    expect(first.res.status).toBe(200);
    expect(first.body).toContain('<dd class="subject">Welcome, Ada!</dd>');
    expect(first.body).toContain('<strong aria-current="page">ada</strong>');
    expect(first.body).toMatch(/<pre class="text">[^<]*HELLO ADA/);
    const src = /<iframe sandbox="" src="([^"]+)"/.exec(first.body)?.[1];
    expect(src).toBe('/_mail/templates/welcome/html?sample=ada');

    const html = await page(src!);
    expect(html.res.status).toBe(200);
    expect(html.res.headers.get('content-security-policy')).toBe(
      MESSAGE_HTML_CSP,
    );
    expect(html.body).toContain('Hello ADA');
    expect(html.body).toContain('<strong>X-42</strong>');
    expect(html.body).toMatch(/style="color: ?#123456/);

    expect(
      (await page('/_mail/templates/welcome?sample=fresh')).body,
    ).toContain('Welcome, Visitor 1!');
    expect(
      (await page('/_mail/templates/welcome?sample=fresh')).body,
    ).toContain('Welcome, Visitor 2!');
    expect(app!.get(MailOutbox).entries).toHaveLength(0);
  });

  it('renders a locale on request, and offers each one', async () => {
    await start(
      templatePreviewApp(basic, (templates) => ({ templates, samples })),
    );
    const { body } = await page('/_mail/templates/welcome?locale=fr');
    expect(body).toContain('<dd class="subject">Bienvenue, Ada !</dd>');
    expect(body).toContain('<strong aria-current="page">fr</strong>');
    expect(body).toContain('href="/_mail/templates/welcome?sample=ada"');
    expect(body).toContain(
      'href="/_mail/templates/welcome?sample=grace&#38;locale=fr"',
    );
    const src = /<iframe sandbox="" src="([^"]+)"/.exec(body)![1];
    const html = await page(src.replace(/&#38;/g, '&'));
    expect(html.body).toContain('Bonjour Ada');
  });

  it('renders a template without samples with an empty context, and a text-only one without a frame', async () => {
    await start(templatePreviewApp(basic));
    const reset = await page('/_mail/templates/auth%2Freset');
    expect(reset.res.status).toBe(200);
    expect(reset.body).toContain('no sample: an empty context');
    expect(reset.body).toContain('Reset your password');
    const plain = await page('/_mail/templates/plain');
    expect(plain.body).toContain('Just text for .');
    expect(plain.body).not.toContain('<iframe');
    const html = await page('/_mail/templates/plain/html');
    expect(html.res.status).toBe(404);
    expect(html.body).toContain('has no HTML part');
  });

  it('answers 404 for a template or sample that does not exist, escaped', async () => {
    await start(
      templatePreviewApp(basic, (templates) => ({ templates, samples })),
    );
    const missing = await page(
      `/_mail/templates/${encodeURIComponent('<script>x')}`,
    );
    expect(missing.res.status).toBe(404);
    expect(missing.res.headers.get('content-type')).toBe(
      'text/html; charset=utf-8',
    );
    expect(missing.body).toContain(
      'No template named &#39;&#60;script&#62;x&#39;. Templates: auth/reset, plain, welcome.',
    );
    expect(missing.body).not.toContain('<script>');
    expect(missing.body).toContain('href="/_mail/templates"');

    const sample = await page('/_mail/templates/welcome?sample=%3Cb%3E');
    expect(sample.res.status).toBe(404);
    expect(sample.body).toContain(
      'no sample named &#39;&#60;b&#62;&#39;. Its samples: ada, grace.',
    );
  });

  it('shows a render error (strict mode, a missing variable) or a failing sample as a 500 page, escaped', async () => {
    await start(
      templatePreviewApp({ ...basic, strict: true }, (templates) => ({
        templates,
        samples: {
          welcome: {
            'no <code>': { name: 'Ada' },
            broken: () => {
              throw new Error('no <fixture> database');
            },
          },
        },
      })),
    );
    const strict = await page(
      `/_mail/templates/welcome?sample=${encodeURIComponent('no <code>')}`,
    );
    expect(strict.res.status).toBe(500);
    expect(strict.res.headers.get('content-type')).toBe(
      'text/html; charset=utf-8',
    );
    expect(strict.body).toMatch(
      /<pre class="error" role="alert">Template &#39;welcome&#39;[^<]*code/,
    );
    expect(strict.body).toContain('sample no &#60;code&#62;');
    expect(strict.body).not.toContain('<iframe');
    const frame = await page(
      `/_mail/templates/welcome/html?sample=${encodeURIComponent('no <code>')}`,
    );
    expect(frame.res.status).toBe(500);
    expect(frame.res.headers.get('content-security-policy')).toBe(
      MESSAGE_HTML_CSP,
    );

    const broken = await page('/_mail/templates/welcome?sample=broken');
    expect(broken.res.status).toBe(500);
    expect(broken.body).toContain(
      'The sample &#39;broken&#39; of &#39;welcome&#39; threw: no &#60;fixture&#62; database',
    );
    // The app still answers.
    expect((await page('/_mail/templates')).res.status).toBe(200);
  });

  it('answers the app 404 when disabled or for a client allow refuses, and without templates says how to add them', async () => {
    await start(
      templatePreviewApp(basic, (templates) => ({
        enabled: false,
        templates,
        samples,
      })),
    );
    for (const path of ['/_mail/templates', '/_mail/templates/welcome']) {
      const { res, body } = await page(path);
      expect(res.status).toBe(404);
      expect(body).toContain(`Cannot GET ${path}`);
    }
    await app!.close();

    await start(
      templatePreviewApp(basic, (templates) => ({
        templates,
        allow: () => false,
      })),
    );
    const refused = await page('/_mail/templates/welcome/html');
    expect(refused.res.status).toBe(404);
    expect(refused.body).toContain('Cannot GET /_mail/templates/welcome/html');
    await app!.close();

    await start(templatePreviewApp(basic, () => ({})));
    const off = await page('/_mail/templates');
    expect(off.res.status).toBe(404);
    expect(off.body).toContain('pass your MailTemplates as templates');
    expect((await page('/_mail')).body).not.toContain('/_mail/templates');
  });

  it('refuses bad templates or samples at startup, saying what to change', async () => {
    expect(
      await bootError(() => ({ templates: MailTemplates as never })),
    ).toEqual(expect.any(ImproperlyConfiguredError));
    expect(
      (await bootError(() => ({ templates: MailTemplates as never }))).message,
    ).toContain('inject: [MailTemplates]');
    expect(
      (await bootError(() => ({ templates: {} as never }))).message,
    ).toContain('list() and render()');
    expect((await bootError(() => ({ samples }))).message).toContain(
      'samples needs templates',
    );
    expect(
      (
        await bootError((templates) => ({
          templates,
          samples: { welcome: { ada: 'Ada' as never } },
        }))
      ).message,
    ).toContain("samples['welcome'] is not valid");
  });
});
