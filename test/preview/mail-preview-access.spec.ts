import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Injectable,
  Logger,
  Module,
  NotFoundException,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';
import { MailModule } from '../../lib/mail.module.js';
import { MailService } from '../../lib/mail.service.js';

import {
  isLoopbackAddress,
  isLoopbackClient,
} from '../../lib/preview/loopback-client.js';
import { MailPreviewAccessGuard } from '../../lib/preview/mail-preview-access.guard.js';
import { MAILPARSER_IMPORTER } from '../../lib/preview/mail-preview.constants.js';
import type {
  MailPreviewClient,
  MailPreviewModuleOptions,
} from '../../lib/preview/mail-preview.interfaces.js';
import { MailPreviewModule } from '../../lib/preview/mail-preview.module.js';
import { MAIL_PREVIEW_OPTIONS as PUBLIC_OPTIONS_TOKEN } from '../../lib/preview/index.js';
import { previewApp } from './app.module.js';
import { createApp, fetchPage, listenLocal } from './serve.js';

const NODE_ENV = process.env.NODE_ENV;
let app: INestApplication | undefined;
let base: string;
let warnings: string[] = [];

async function listen(root: DynamicModule, importerFails = false) {
  warnings = [];
  app = await createApp(root, {
    logger: {
      log: () => undefined,
      error: (message: unknown) => warnings.push(`ERROR ${message}`),
      warn: (message: unknown) => warnings.push(`WARN ${message}`),
    },
    override: (builder) =>
      importerFails
        ? builder.overrideProvider(MAILPARSER_IMPORTER).useValue(() =>
            Promise.reject(
              Object.assign(new Error("Cannot find package 'mailparser'"), {
                code: 'ERR_MODULE_NOT_FOUND',
              }),
            ),
          )
        : builder,
  });
  base = await listenLocal(app);
  return app;
}

async function get(path: string, headers: Record<string, string> = {}) {
  const { res, body } = await fetchPage(base, path, headers);
  return { status: res.status, body };
}

/** The app's own answer for a route that does not exist. */
const noSuchRoute = (path: string) => get(path);

afterEach(async () => {
  await app?.close();
  app = undefined;
  if (NODE_ENV === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = NODE_ENV;
});

describe('MailPreviewModule is opt-in', () => {
  // Before: any NODE_ENV other than exactly 'production' served every mail.
  for (const spelling of [
    'Production',
    'PRODUCTION',
    'prod',
    ' production',
    undefined,
  ]) {
    it(`NODE_ENV=${JSON.stringify(spelling)} without enabled: true serves nothing`, async () => {
      if (spelling === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = spelling;
      await listen(previewApp({ backend: 'locmem' }, { enabled: false }));
      await app!
        .get(MailService)
        .sendMail('Reset', 'https://x/reset/s3cret', 'a@x.org', ['b@x.org']);

      const page = await get('/_mail');
      expect(page.status).toBe(404);
      expect(page.body).not.toContain('Reset');
      expect(page.body).toContain('Cannot GET /_mail');
      expect((await get('/_mail/m/anything/html')).status).toBe(404);
      expect(warnings).toEqual([]);
    });
  }

  it('answers 404 exactly like a route that does not exist', async () => {
    await listen(previewApp({ backend: 'locmem' }, { enabled: false }));
    expect(await get('/_mail')).toEqual({
      status: 404,
      body: (await noSuchRoute('/_nothing')).body.replace(
        '/_nothing',
        '/_mail',
      ),
    });
  });

  it('never reads NODE_ENV: production with enabled: true serves the page', async () => {
    process.env.NODE_ENV = 'production';
    await listen(previewApp({ backend: 'locmem' }, { enabled: true }));
    expect((await get('/_mail')).status).toBe(200);
  });

  it.each([
    [undefined, /got nothing/],
    ['true', /got string "true"/],
    [1, /got number 1/],
  ])(
    'refuses to start when enabled is %j, saying how to turn it on',
    async (enabled, got) => {
      const root = previewApp(
        { backend: 'locmem' },
        { enabled: enabled as unknown as boolean },
      );
      const starting = listen(root);
      await expect(starting).rejects.toThrow(ImproperlyConfiguredError);
      await expect(starting).rejects.toThrow(got);
      await expect(starting).rejects.toThrow(
        /enabled must be true or false.*enabled: process\.env\.NODE_ENV === 'development'/s,
      );
    },
  );

  it('disabled, it needs no mailparser and checks no source', async () => {
    class NotAnInstance {
      previewMessages() {
        return [];
      }
    }
    await listen(
      previewApp(
        { backend: 'locmem' },
        { enabled: false, sources: [NotAnInstance as never] },
      ),
      true,
    );
    expect((await get('/_mail')).status).toBe(404);
  });

  it('enabled without mailparser, it fails at startup with the install command', async () => {
    await expect(
      listen(previewApp({ backend: 'locmem' }), true),
    ).rejects.toThrow(
      'Install mailparser to use MailPreviewModule: npm install -D mailparser',
    );
  });
});

describe('MailPreviewModule answers loopback clients only, unless allowed', () => {
  it('serves 127.0.0.1, and refuses a request that came through a proxy', async () => {
    await listen(previewApp({ backend: 'locmem' }));
    expect((await get('/_mail')).status).toBe(200);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const page = await get('/_mail', { [header]: '203.0.113.9' });
      expect([header, page.status]).toEqual([header, 404]);
      expect(page.body).toContain('Cannot GET /_mail');
    }
    expect(warnings).toEqual([
      expect.stringMatching(
        /^WARN Answered 404 to .*127\.0\.0\.1 \(a request forwarded by a proxy: x-forwarded-for\): the page serves loopback clients .* pass allow, e\.g\. .*logged once\.$/,
      ),
    ]);
  });

  it('asks allow(), which gets the peer address and the headers', async () => {
    const seen: MailPreviewClient[] = [];
    await listen(
      previewApp(
        { backend: 'locmem' },
        {
          allow: (client) => {
            seen.push(client);
            return client.headers['x-dev-token'] === 'let-me-in';
          },
        },
      ),
    );
    expect((await get('/_mail')).status).toBe(404);
    expect((await get('/_mail', { 'x-dev-token': 'let-me-in' })).status).toBe(
      200,
    );
    expect(seen.map((c) => c.remoteAddress)).toEqual([
      expect.stringMatching(/127\.0\.0\.1$/),
      expect.stringMatching(/127\.0\.0\.1$/),
    ]);
  });

  it('refuses a remote peer (the guard, given a non-loopback socket)', async () => {
    Logger.overrideLogger(false);
    const options: MailPreviewModuleOptions = { enabled: true };
    const adapter = {
      getRequestMethod: (req: { method: string }) => req.method,
      getRequestUrl: (req: { url: string }) => req.url,
    };
    const guard = new MailPreviewAccessGuard(options, {
      httpAdapter: adapter,
    } as unknown as HttpAdapterHost);
    const context = (remoteAddress: string) =>
      ({
        switchToHttp: () => ({
          getRequest: () => ({
            method: 'GET',
            url: '/_mail',
            headers: {},
            socket: { remoteAddress },
          }),
        }),
      }) as unknown as ExecutionContext;
    for (const remote of ['203.0.113.5', '::ffff:10.0.0.1', 'fe80::1']) {
      await expect(guard.canActivate(context(remote))).rejects.toThrow(
        new NotFoundException('Cannot GET /_mail'),
      );
    }
    for (const local of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1'])
      await expect(guard.canActivate(context(local))).resolves.toBe(true);
  });

  it('knows loopback addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.255.254',
      '::1',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
      '::FFFF:127.1.2.3',
    ])
      expect([address, isLoopbackAddress(address)]).toEqual([address, true]);
    for (const address of [
      undefined,
      '',
      '128.0.0.1',
      '10.0.0.1',
      '::ffff:10.0.0.1',
      '::2',
      '127.0.0.1.example.com',
      '1127.0.0.1',
    ])
      expect([address, isLoopbackAddress(address)]).toEqual([address, false]);
    expect(
      isLoopbackClient({
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': '1.2.3.4' },
      }),
    ).toBe(false);
  });
});

describe('MailPreviewModule registration', () => {
  @Injectable()
  class PreviewSettings {
    readonly enabled = true;
  }
  @Module({ providers: [PreviewSettings], exports: [PreviewSettings] })
  class SettingsModule {}

  @Injectable()
  class PreviewOptionsFactory {
    createMailPreviewOptions(): MailPreviewModuleOptions {
      return { enabled: true };
    }
  }
  @Module({
    providers: [PreviewOptionsFactory],
    exports: [PreviewOptionsFactory],
  })
  class FactoryModule {}

  const mail = MailModule.forRoot({ backend: 'locmem' });

  it('forRootAsync with useFactory, inject and imports, mounted at path', async () => {
    await listen({
      module: class AsyncApp {},
      imports: [
        mail,
        MailPreviewModule.forRootAsync({
          path: '/dev/mail',
          imports: [SettingsModule],
          inject: [PreviewSettings],
          useFactory: (settings: PreviewSettings) => ({
            enabled: settings.enabled,
          }),
        }),
      ],
    });
    expect((await get('/dev/mail')).status).toBe(200);
    expect((await get('/_mail')).status).toBe(404);
  });

  it('forRootAsync with useClass, and with useExisting', async () => {
    await listen({
      module: class ClassApp {},
      imports: [
        mail,
        MailPreviewModule.forRootAsync({ useClass: PreviewOptionsFactory }),
      ],
    });
    expect((await get('/_mail')).status).toBe(200);
    await app!.close();
    await listen({
      module: class ExistingApp {},
      imports: [
        mail,
        MailPreviewModule.forRootAsync({
          imports: [FactoryModule],
          useExisting: PreviewOptionsFactory,
        }),
      ],
    });
    expect((await get('/_mail')).status).toBe(200);
  });

  it('a test can turn the page on by overriding MAIL_PREVIEW_OPTIONS (from the entry point)', async () => {
    app = await createApp(
      previewApp({ backend: 'locmem' }, { enabled: false }),
      {
        override: (builder) =>
          builder
            .overrideProvider(PUBLIC_OPTIONS_TOKEN)
            .useValue({ enabled: true }),
      },
    );
    base = await listenLocal(app);
    expect((await get('/_mail')).status).toBe(200);
  });

  it('register() is a deprecated alias of forRoot()', async () => {
    await listen({
      module: class LegacyApp {},
      imports: [mail, MailPreviewModule.register({ enabled: false })],
    });
    expect((await get('/_mail')).status).toBe(404);
  });
});
