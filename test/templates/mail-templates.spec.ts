import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Injectable,
  Module,
  type INestApplicationContext,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { join } from 'node:path';
import { createElement } from 'react';
import { MailModule, MailOutbox, MailService } from '../../lib/index.js';
import { importOptional } from '../../lib/utils/import-optional.js';
import {
  MAIL_TEMPLATES_OPTIONS,
  MailTemplateError,
  MailTemplateNotFoundError,
  MailTemplateRenderError,
  MailTemplates,
  MailTemplatesModule,
  defineTemplate,
  mailTemplate,
  reactTemplate,
  type MailTemplatesOptions,
  type TemplateEngine,
} from '../../lib/templates/index.js';
import { initError } from './init-error.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const basic: MailTemplatesOptions = {
  dir: join(fixtures, 'basic'),
  layout: 'main',
  helpers: { upper: (s: string) => s.toUpperCase() },
};

let apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()));
  apps = [];
});

async function templatesFor(
  options: MailTemplatesOptions,
): Promise<MailTemplates> {
  const moduleRef = await Test.createTestingModule({
    imports: [MailTemplatesModule.forRoot(options)],
  }).compile();
  apps.push(moduleRef);
  await moduleRef.init();
  return moduleRef.get(MailTemplates);
}

/** The error that stops `init()` for these options. */
function bootError(options: MailTemplatesOptions): Promise<Error> {
  return initError(MailTemplatesModule.forRoot(options));
}

function htmlOf(message: {
  alternatives: Array<{ content: string | Buffer; mimetype: string }>;
}): string {
  const alt = message.alternatives.find((a) => a.mimetype === 'text/html');
  return String(alt?.content);
}

describe('file templates (Handlebars)', () => {
  it('builds subject, derived text and an HTML alternative with layout, partial, helper and inlined CSS', async () => {
    const templates = await templatesFor(basic);
    const msg = await templates.message(
      'welcome',
      { name: 'Ada', code: 'X-42' },
      {
        to: ['ada@example.com'],
        cc: ['boss@example.com'],
        replyTo: ['help@example.com'],
        headers: { 'X-Campaign': 'signup' },
      },
    );
    expect(msg.subject).toBe('Welcome, Ada!');
    expect(msg.to).toEqual(['ada@example.com']);
    expect(msg.cc).toEqual(['boss@example.com']);
    expect(msg.replyTo).toEqual(['help@example.com']);
    expect(msg.extraHeaders['X-Campaign']).toBe('signup');
    const html = htmlOf(msg);
    expect(html).toMatch(
      /<h1 class="title" style="color: ?#123456;?">Hello ADA<\/h1>/,
    );
    expect(html).toMatch(
      /<p class="footer" style="font-size: ?11px;?">Sent by Example<\/p>/,
    );
    expect(html).toContain('@media (max-width: 600px)');
    expect(msg.body).toContain('HELLO ADA');
    expect(msg.body).toContain('Your code is X-42.');
    expect(msg.body).toContain('Sent by Example');
    expect(msg.body).not.toContain('<');
    expect(msg.body).not.toContain('color');
  });

  it('keeps a text part that exists and finds templates in subdirectories', async () => {
    const templates = await templatesFor(basic);
    const msg = await templates.message(
      'auth/reset',
      { url: 'https://example.com/r/1' },
      { to: ['a@example.com'] },
    );
    expect(msg.subject).toBe('Reset your password');
    expect(msg.body).toBe(
      'Open https://example.com/r/1 to choose a new password.\n',
    );
    expect(htmlOf(msg)).toContain('href="https://example.com/r/1"');
  });

  it('sends a text-only template without an HTML alternative', async () => {
    const templates = await templatesFor(basic);
    const msg = await templates.message(
      'plain',
      { name: 'Bo' },
      { to: ['b@example.com'] },
    );
    expect(msg.alternatives).toEqual([]);
    expect(msg.body).toBe('Just text for Bo.\n');
  });

  it('leaves CSS alone for a template with inlineCss off', async () => {
    const templates = await templatesFor({
      ...basic,
      settings: { welcome: { inlineCss: false } },
    });
    const html = htmlOf(
      await templates.message(
        'welcome',
        { name: 'Ada', code: '1' },
        { to: ['a@example.com'] },
      ),
    );
    expect(html).toContain('<style>.title { color: #123456; }');
    expect(html).toContain('<h1 class="title">Hello ADA</h1>');
  });

  it('chooses the localised files, falling back along the locale chain', async () => {
    const templates = await templatesFor(basic);
    const fr = await templates.message(
      'welcome',
      { name: 'Ada', code: '1' },
      { to: ['a@example.com'], locale: 'fr-CA' },
    );
    expect(fr.subject).toBe('Bienvenue, Ada !');
    expect(htmlOf(fr)).toContain('Bonjour Ada');
    expect(fr.body).toContain('BONJOUR ADA');
    const de = await templates.message(
      'welcome',
      { name: 'Ada', code: '1' },
      { to: ['a@example.com'], locale: 'de' },
    );
    expect(de.subject).toBe('Welcome, Ada!');
    const withFallback = await templatesFor({
      ...basic,
      fallbackLocales: ['fr'],
    });
    const viaFallback = await withFallback.message(
      'welcome',
      { name: 'Ada', code: '1' },
      { to: ['a@example.com'], locale: 'de' },
    );
    expect(viaFallback.subject).toBe('Bienvenue, Ada !');
  });

  it('types the context of a file template through defineTemplate', async () => {
    const templates = await templatesFor(basic);
    const reset = defineTemplate<{ url: string }>('auth/reset');
    const msg = await templates.message(
      reset,
      { url: 'https://x.example/1' },
      { to: ['a@example.com'] },
    );
    expect(msg.body).toContain('https://x.example/1');
    const wrong = () =>
      // @ts-expect-error the context of 'auth/reset' needs `url`
      templates.message(reset, { link: 'x' }, { to: ['a@example.com'] });
    await expect(wrong()).resolves.toBeDefined();
  });

  it('in strict mode names the template, file and missing variable', async () => {
    const templates = await templatesFor({ ...basic, strict: true });
    const err = await templates
      .message('welcome', { name: 'Ada' }, { to: ['a@example.com'] })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(MailTemplateRenderError);
    const render = err as MailTemplateRenderError;
    expect(render.template).toBe('welcome');
    expect(render.variable).toBe('code');
    expect(render.file).toBe(join(fixtures, 'basic', 'welcome.html.hbs'));
    expect(render.message).toContain("no 'code'");
  });

  it('renders a missing variable as empty when not strict', async () => {
    const templates = await templatesFor(basic);
    const msg = await templates.message(
      'welcome',
      { name: 'Ada' },
      { to: ['a@example.com'] },
    );
    expect(msg.body).toContain('Your code is .');
  });

  it('lists templates and renders one for a preview', async () => {
    const hello = mailTemplate('hello', (ctx: { who: string }) => ({
      subject: `Hi ${ctx.who}`,
      text: 'x',
    }));
    const templates = await templatesFor({ ...basic, templates: [hello] });
    const list = templates.list();
    expect(list.map((t) => [t.name, t.kind])).toEqual([
      ['auth/reset', 'file'],
      ['hello', 'function'],
      ['plain', 'file'],
      ['welcome', 'file'],
    ]);
    expect(list.find((t) => t.name === 'welcome')?.locales).toEqual(['', 'fr']);
    const rendered = await templates.render(
      'welcome',
      { name: 'Ada', code: '7' },
      { locale: 'fr' },
    );
    expect(rendered.subject).toBe('Bienvenue, Ada !');
    expect(rendered.html).toContain('Bonjour Ada');
  });

  it('says which templates exist for an unknown name', async () => {
    const templates = await templatesFor(basic);
    const err = await templates.render('welcom', {}).then(
      () => new Error('rendered'),
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(MailTemplateNotFoundError);
    expect(err.message).toContain(
      'Known templates: auth/reset, plain, welcome',
    );
  });
});

describe('boot-time checks', () => {
  it('stops on a missing directory', async () => {
    const err = await bootError({ dir: join(fixtures, 'nowhere') });
    expect(err).toBeInstanceOf(MailTemplateError);
    expect(err.message).toContain(
      `${join(fixtures, 'nowhere')} does not exist`,
    );
  });

  it('says how to ship templates when the missing directory is under dist/', async () => {
    const err = await bootError({ dir: '/srv/app/dist/mail/templates' });
    expect(err.message).toContain('nest-cli.json');
    expect(err.message).toContain(
      '"include": "mail/templates/**/*", "watchAssets": true',
    );
    expect(err.message).toContain('relative to "sourceRoot"');
  });

  it('stops on a template that does not compile, naming the file', async () => {
    const err = await bootError({ dir: join(fixtures, 'bad-syntax') });
    expect(err).toBeInstanceOf(MailTemplateError);
    expect((err as MailTemplateError).file).toBe(
      join(fixtures, 'bad-syntax', 'oops.html.hbs'),
    );
    expect(err.message).toContain('does not compile');
  });

  it('stops on a missing partial, naming the file and the partial', async () => {
    const err = await bootError({ dir: join(fixtures, 'bad-partial') });
    expect((err as MailTemplateError).file).toBe(
      join(fixtures, 'bad-partial', 'uses.html.hbs'),
    );
    expect(err.message).toContain("partial 'missing-footer' is not registered");
    expect(err.message).toContain('partials/missing-footer.hbs');
  });

  it('stops on a missing helper', async () => {
    const err = await bootError({ dir: join(fixtures, 'bad-helper') });
    expect(err.message).toContain("helper 'shout' is not registered");
  });

  it('stops on a missing subject, naming the file to add', async () => {
    const err = await bootError({ dir: join(fixtures, 'no-subject') });
    expect(err.message).toContain("template 'lonely' has no subject");
    expect(err.message).toContain(
      join(fixtures, 'no-subject', 'lonely.subject.hbs'),
    );
  });

  it('stops on a file whose name does not follow the convention', async () => {
    const err = await bootError({ dir: join(fixtures, 'bad-name') });
    expect((err as MailTemplateError).file).toBe(
      join(fixtures, 'bad-name', 'welcome.hbs'),
    );
    expect(err.message).toContain('<name>[.<locale>].<subject|txt|html>.<ext>');
  });

  it('stops when an engine package is not installed, with the install command', async () => {
    const zz: TemplateEngine = {
      extensions: ['zz'],
      init: async () => {
        await importOptional(
          () => import('nestjs-mail-no-such-engine' as string),
          'Templates ending in .zz need zz: npm install nestjs-mail-no-such-engine',
        );
      },
      compile: () => () => '',
    };
    const err = await bootError({
      dir: join(fixtures, 'custom-peer'),
      engines: [zz],
    });
    expect(err).toBeInstanceOf(MailTemplateError);
    expect(err.message).toBe(
      'Templates ending in .zz need zz: npm install nestjs-mail-no-such-engine',
    );
  });

  it('stops on a missing layout', async () => {
    const err = await bootError({ ...basic, layout: 'fancy' });
    expect(err.message).toContain("layout 'fancy' not found");
    expect(err.message).toContain('found: main');
  });
});

describe('other engines', () => {
  const upper: TemplateEngine = {
    extensions: ['up'],
    compile: (source) => (context) =>
      source.replace(/\$(\w+)/g, (_, key: string) =>
        String((context as Record<string, unknown>)[key]).toUpperCase(),
      ),
  };
  const options = { dir: join(fixtures, 'engines'), engines: [upper] };

  it.each([
    ['e', 'EJS Ada', '<p class="x">EJS Ada</p><i>sig Ada</i>'],
    ['p', 'Pug Ada', '<p class="x">Pug Ada</p><em>sig</em>'],
    ['l', 'Liquid ADA', '<p>Liquid Ada</p><b>sig Ada</b>'],
    ['c', 'Custom', '<p>ADA in custom</p>'],
  ])('%s renders with its partial', async (name, subject, html) => {
    const templates = await templatesFor(options);
    const rendered = await templates.render(name, { name: 'Ada' });
    expect(rendered.subject).toBe(subject);
    expect(rendered.html).toContain(html);
  });

  it('compiles MJML once and fills it with Handlebars', async () => {
    const templates = await templatesFor(options);
    const rendered = await templates.render('m', { name: 'Ada' });
    expect(rendered.subject).toBe('MJML Ada');
    expect(rendered.html).toContain('Hi Ada from MJML');
    expect(rendered.html).toMatch(/<table[^>]*role="presentation"/);
    expect(rendered.text).toContain('Hi Ada from MJML');
  });

  it('names a missing variable in strict Liquid', async () => {
    const templates = await templatesFor({ ...options, strict: true });
    const err = (await templates
      .render('l', {})
      .catch((e: Error) => e)) as MailTemplateRenderError;
    expect(err).toBeInstanceOf(MailTemplateRenderError);
    expect(err.variable).toBe('name');
  });
});

describe('templates as code', () => {
  interface Order {
    id: string;
    total: number;
  }
  const shipped = mailTemplate('shipped', (ctx: Order) => ({
    subject: `Order ${ctx.id}\nshipped`,
    html: `<style>p { color: red; }</style><p>Total: ${ctx.total.toFixed(2)}</p>`,
  }));
  const Card = (props: { name: string }) =>
    createElement(
      'div',
      { className: 'card' },
      createElement('p', null, `Hi ${props.name}`),
    );
  const card = reactTemplate('card', (ctx: { name: string }) => ({
    subject: `Card for ${ctx.name}`,
    element: createElement(Card, ctx),
  }));

  it('renders a typed function template, inlining CSS and deriving text', async () => {
    const templates = await templatesFor({ templates: [shipped] });
    const msg = await templates.message(
      shipped,
      { id: 'A1', total: 3 },
      { to: ['a@example.com'] },
    );
    expect(msg.subject).toBe('Order A1 shipped');
    expect(htmlOf(msg)).toMatch(/<p style="color: ?red;?">Total: 3.00<\/p>/);
    expect(msg.body.trim()).toBe('Total: 3.00');
    const order = { id: 'A1', total: '3' };
    // @ts-expect-error `total` must be a number
    const wrong = () => templates.message(shipped, order, { to: ['a@x.org'] });
    await expect(wrong()).rejects.toThrow(MailTemplateRenderError);
  });

  it('renders a React template with @react-email/render', async () => {
    const templates = await templatesFor({ templates: [card] });
    const msg = await templates.message(
      card,
      { name: 'Ada' },
      { to: ['a@example.com'] },
    );
    expect(msg.subject).toBe('Card for Ada');
    expect(htmlOf(msg)).toContain('<div class="card"><p>Hi Ada</p></div>');
    expect(msg.body.trim()).toBe('Hi Ada');
  });

  it('refuses two templates with one name', async () => {
    const err = await bootError({
      ...basic,
      templates: [mailTemplate('welcome', () => ({ subject: 'x', text: 'y' }))],
    });
    expect(err.message).toContain("two templates are named 'welcome'");
  });
});

describe('MailTemplatesModule', () => {
  @Injectable()
  class Signup {
    constructor(
      private readonly templates: MailTemplates,
      private readonly mail: MailService,
    ) {}
    async welcome(to: string) {
      return this.mail.send(
        await this.templates.message(
          'welcome',
          { name: 'Ada', code: '9' },
          { to: [to] },
        ),
      );
    }
  }

  it('forRootAsync with a factory, global, sends through MailModule', async () => {
    @Module({ providers: [Signup] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          backend: 'locmem',
          defaultFromEmail: 'hello@example.com',
          isGlobal: true,
        }),
        MailTemplatesModule.forRootAsync({
          useFactory: async () => basic,
          isGlobal: true,
        }),
        FeatureModule,
      ],
    }).compile();
    apps.push(moduleRef);
    await moduleRef.init();
    expect(await moduleRef.get(Signup).welcome('ada@example.com')).toBe(1);
    const [sent] = moduleRef.get(MailOutbox).messages;
    expect(sent.subject).toBe('Welcome, Ada!');
    const bytes = await sent.message().asString();
    expect(bytes).toContain('From: hello@example.com');
    expect(bytes).toContain('Content-Type: multipart/alternative');
  });

  it('forRoot defaults: no directory, no templates', async () => {
    const templates = await templatesFor({});
    expect(templates.list()).toEqual([]);
  });

  it('forRootAsync with useExisting, and with imports + inject', async () => {
    @Injectable()
    class Options {
      createMailTemplatesOptions(): MailTemplatesOptions {
        return basic;
      }
    }
    @Module({ providers: [Options], exports: [Options] })
    class OptionsModule {}
    for (const async of [
      { imports: [OptionsModule], useExisting: Options },
      {
        imports: [OptionsModule],
        inject: [Options],
        useFactory: (o: Options) => o.createMailTemplatesOptions(),
      },
    ]) {
      const moduleRef = await Test.createTestingModule({
        imports: [MailTemplatesModule.forRootAsync(async)],
      }).compile();
      apps.push(moduleRef);
      await moduleRef.init();
      const rendered = await moduleRef
        .get(MailTemplates)
        .render('plain', { name: 'Cy' });
      expect(rendered.text).toBe('Just text for Cy.\n');
    }
  });

  it('forRootAsync with useClass and an overridden options token', async () => {
    class Factory {
      createMailTemplatesOptions(): MailTemplatesOptions {
        return { dir: join(fixtures, 'nowhere') };
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [MailTemplatesModule.forRootAsync({ useClass: Factory })],
    })
      .overrideProvider(MAIL_TEMPLATES_OPTIONS)
      .useValue(basic)
      .compile();
    apps.push(moduleRef);
    await moduleRef.init();
    expect(moduleRef.get(MailTemplates).list().length).toBe(3);
  });
});
