import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Injectable,
  Module,
  type INestApplicationContext,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  BaseEmailBackend,
  ConsoleEmailBackend,
  DummyEmailBackend,
  ImproperlyConfiguredError,
  InjectMailer,
  LocmemEmailBackend,
  MAIL_MODULE_OPTIONS,
  MailerDoesNotExistError,
  MailerRegistry,
  MailModule,
  MailOutbox,
  MailService,
  SmtpEmailBackend,
  getMailerToken,
  type MailModuleOptions,
} from '../../lib/index.js';

let apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()));
  apps = [];
});

async function boot(imports: unknown[], providers: unknown[] = []) {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    providers: providers as never[],
  }).compile();
  apps.push(moduleRef);
  await moduleRef.init();
  return moduleRef;
}

describe('MailModule.forRoot', () => {
  it('provides SMTP on localhost:25 by default, without connecting at startup', async () => {
    const app = await boot([MailModule.forRoot({})]);
    const mailer = app.get(BaseEmailBackend);
    expect(mailer).toBeInstanceOf(SmtpEmailBackend);
    expect(mailer).toMatchObject({
      host: 'localhost',
      port: 25,
      alias: 'default',
    });
    expect(app.get(MailService)).toBeInstanceOf(MailService);
    expect(app.get(MailOutbox).messages).toEqual([]);
  });

  it('applies custom values: backend, default sender, charset', async () => {
    const app = await boot([
      MailModule.forRoot({
        backend: 'locmem',
        defaultFromEmail: 'noreply@example.com',
        defaultCharset: 'iso-8859-1',
      }),
    ]);
    await app
      .get(MailService)
      .sendMail('Hi', 'Grüße', null, ['to@example.com']);
    const [sent] = app.get(MailOutbox).messages;
    expect(sent.fromEmail).toBe('noreply@example.com');
    expect(sent.sentUsing).toBe('default');
    const rendered = await sent
      .message(app.get(BaseEmailBackend).messageSettings)
      .asString();
    expect(rendered).toMatch(/charset=iso-8859-1/);
  });

  it('provides named mailers under getMailerToken(alias) and @InjectMailer(alias)', async () => {
    @Injectable()
    class UsesMailers {
      constructor(
        @InjectMailer() readonly main: BaseEmailBackend,
        @InjectMailer('audit') readonly audit: BaseEmailBackend,
      ) {}
    }
    const app = await boot(
      [
        MailModule.forRoot({
          backend: 'dummy',
          mailers: {
            audit: { backend: 'locmem' },
            print: { backend: 'console' },
          },
        }),
      ],
      [UsesMailers],
    );
    const uses = app.get(UsesMailers);
    expect(uses.main).toBeInstanceOf(DummyEmailBackend);
    expect(uses.audit).toBeInstanceOf(LocmemEmailBackend);
    expect(uses.audit).toBe(app.get(getMailerToken('audit')));
    expect(app.get(getMailerToken('print'))).toBeInstanceOf(
      ConsoleEmailBackend,
    );
    expect(getMailerToken('audit')).toBe('nestjs-mail:mailer:audit');

    await app
      .get(MailService)
      .sendMail('Audit', 'x', null, ['a@example.com'], { using: 'audit' });
    expect(app.get(MailOutbox).messages.map((m) => m.sentUsing)).toEqual([
      'audit',
    ]);
    await expect(
      app
        .get(MailService)
        .sendMail('x', 'x', null, ['a@example.com'], { using: 'nope' }),
    ).rejects.toThrow(MailerDoesNotExistError);
  });

  it('is global with isGlobal: a feature module injects MailService without importing MailModule', async () => {
    @Injectable()
    class Feature {
      constructor(readonly mail: MailService) {}
    }
    @Module({ providers: [Feature], exports: [Feature] })
    class FeatureModule {}
    const app = await boot([
      MailModule.forRoot({ backend: 'dummy', isGlobal: true }),
      FeatureModule,
    ]);
    expect(app.get(Feature).mail).toBe(app.get(MailService));
    expect(app.get(MAIL_MODULE_OPTIONS)).not.toHaveProperty('isGlobal');
  });

  it('gives each application its own outbox', async () => {
    const one = await boot([MailModule.forRoot({ backend: 'locmem' })]);
    const two = await boot([MailModule.forRoot({ backend: 'locmem' })]);
    await one.get(MailService).sendMail('One', 'x', null, ['a@example.com']);
    expect(one.get(MailOutbox).messages).toHaveLength(1);
    expect(two.get(MailOutbox).messages).toHaveLength(0);
    expect(one.get(MailOutbox)).not.toBe(two.get(MailOutbox));
  });
});

describe('MailModule.forRootAsync', () => {
  it('useFactory with inject and imports (ConfigModule)', async () => {
    const app = await boot([
      MailModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [() => ({ MAIL_FROM: 'cfg@example.com' })],
          }),
        ],
        inject: [ConfigService],
        useFactory: (config: ConfigService): MailModuleOptions => ({
          backend: 'locmem',
          defaultFromEmail: config.getOrThrow('MAIL_FROM'),
        }),
      }),
    ]);
    await app.get(MailService).sendMail('Hi', 'x', '', ['to@example.com']);
    expect(app.get(MailOutbox).messages[0].fromEmail).toBe('cfg@example.com');
  });

  it('useClass', async () => {
    class MailConfig {
      createMailOptions(): MailModuleOptions {
        return {
          backend: 'locmem',
          serverEmail: 'server@example.com',
          admins: ['ops@example.com'],
        };
      }
    }
    const app = await boot([MailModule.forRootAsync({ useClass: MailConfig })]);
    await app.get(MailService).mailAdmins('Down', 'The site is down');
    const [sent] = app.get(MailOutbox).messages;
    expect(sent).toMatchObject({
      subject: '[Nest] Down',
      fromEmail: 'server@example.com',
      to: ['ops@example.com'],
    });
  });

  it('useExisting', async () => {
    @Injectable()
    class MailConfig {
      createMailOptions(): MailModuleOptions {
        return { backend: 'dummy' };
      }
    }
    @Module({ providers: [MailConfig], exports: [MailConfig] })
    class ConfigHolder {}
    const app = await boot([
      MailModule.forRootAsync({
        imports: [ConfigHolder],
        useExisting: MailConfig,
      }),
    ]);
    expect(app.get(BaseEmailBackend)).toBeInstanceOf(DummyEmailBackend);
  });

  it('provides the mailers @InjectMailer names, and `using` reaches the others', async () => {
    @Injectable()
    class BulkSender {
      constructor(@InjectMailer('bulk') readonly bulk: BaseEmailBackend) {}
    }
    void BulkSender; // declared for its decorator, which names 'bulk'
    const app = await boot([
      MailModule.forRootAsync({
        useFactory: () => ({
          backend: 'dummy',
          mailers: {
            bulk: { backend: 'locmem' },
            other: { backend: 'locmem' },
          },
        }),
      }),
    ]);
    expect(app.get(getMailerToken('bulk'))).toBeInstanceOf(LocmemEmailBackend);
    await app
      .get(MailService)
      .sendMail('x', 'x', null, ['a@example.com'], { using: 'other' });
    expect(app.get(MailOutbox).messages[0].sentUsing).toBe('other');
    expect(app.get(MailOutbox).entries[0].mailer).toBe('other');
  });
});

describe('overriding providers in a TestingModule', () => {
  it('overrideProvider(BaseEmailBackend).useClass(LocmemEmailBackend) sends every function to the outbox', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          options: { host: '127.0.0.1', port: 1 },
          defaultFromEmail: 'app@example.com',
          admins: ['admin@example.com'],
          managers: ['manager@example.com'],
        }),
      ],
    })
      .overrideProvider(BaseEmailBackend)
      .useClass(LocmemEmailBackend)
      .compile();
    apps.push(moduleRef);
    const mail = moduleRef.get(MailService);
    expect(await mail.sendMail('one', 'x', null, ['a@example.com'])).toBe(1);
    expect(
      await mail.sendMassMail([
        ['two', 'x', null, ['b@example.com']],
        ['three', 'x', null, ['c@example.com']],
      ]),
    ).toBe(2);
    await mail.mailAdmins('four', 'x');
    await mail.mailManagers('five', 'x');
    const outbox = moduleRef.get(MailOutbox);
    expect(outbox.messages.map((m) => m.subject)).toEqual([
      'one',
      'two',
      'three',
      '[Nest] four',
      '[Nest] five',
    ]);
    expect(outbox.messages[0].fromEmail).toBe('app@example.com');
    expect(outbox.messages.every((m) => m.sentUsing === 'default')).toBe(true);
  });

  it('overrides a named mailer by its token', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          backend: 'dummy',
          mailers: { bulk: { options: { host: '127.0.0.1', port: 1 } } },
        }),
      ],
    })
      .overrideProvider(getMailerToken('bulk'))
      .useClass(LocmemEmailBackend)
      .compile();
    apps.push(moduleRef);
    await moduleRef
      .get(MailService)
      .sendMail('Bulk', 'x', null, ['a@example.com'], { using: 'bulk' });
    expect(moduleRef.get(MailOutbox).messages.map((m) => m.sentUsing)).toEqual([
      'bulk',
    ]);
  });
});

describe('bad options fail at startup with a message that says what to change', () => {
  const cases: Array<[string, MailModuleOptions, RegExp]> = [
    [
      'unknown backend name',
      { backend: 'pigeon' as never },
      /unknown backend "pigeon": use one of smtp, console, file/,
    ],
    [
      'file backend without filePath',
      { backend: 'file', options: {} as never },
      /filePath/,
    ],
    [
      'SSL and TLS together',
      { options: { useSsl: true, useTls: true } },
      /useSsl|useTls/,
    ],
    [
      'admins not an array',
      { admins: 'ops@example.com' as never },
      /admins option must be an array of email address strings/,
    ],
    [
      'an invalid admin address',
      { admins: ['a@b, c@d'] },
      /admins.*single address/,
    ],
    [
      'a bad named mailer',
      { backend: 'dummy', mailers: { bulk: { backend: 'nope' as never } } },
      /Mailer 'bulk': unknown backend/,
    ],
  ];
  it.each(cases)('%s', async (_name, options, message) => {
    const compiled = Test.createTestingModule({
      imports: [MailModule.forRoot(options)],
    }).compile();
    await expect(compiled).rejects.toThrow(message);
    await expect(
      Test.createTestingModule({
        imports: [MailModule.forRoot(options)],
      }).compile(),
    ).rejects.toBeInstanceOf(ImproperlyConfiguredError);
  });
});

describe('MailerRegistry', () => {
  it('lists the aliases, gets the shared mailers, and creates unshared connections', async () => {
    const app = await boot([
      MailModule.forRoot({
        backend: 'dummy',
        mailers: { bulk: { backend: 'locmem' } },
      }),
    ]);
    const registry = app.get(MailerRegistry);
    expect(registry.aliases()).toEqual(['default', 'bulk']);
    expect(registry.get()).toBe(app.get(BaseEmailBackend));
    expect(registry.get('bulk')).toBe(app.get(getMailerToken('bulk')));
    const connection = registry.createConnection('bulk');
    expect(connection).toBeInstanceOf(LocmemEmailBackend);
    expect(connection).not.toBe(registry.get('bulk'));
    expect(connection.alias).toBeNull();
    expect(() => registry.get('nope')).toThrow(MailerDoesNotExistError);
  });

  it('runs the init hook of a mailer no provider created, so it fails at startup', async () => {
    class NeedsAPeer extends DummyEmailBackend {
      async onModuleInit(): Promise<void> {
        throw new Error('install the peer');
      }
    }
    await expect(
      boot([
        MailModule.forRootAsync({
          useFactory: () => ({
            backend: 'dummy',
            mailers: { hidden: { backend: NeedsAPeer } },
          }),
        }),
      ]),
    ).rejects.toThrow('install the peer');
  });
});
