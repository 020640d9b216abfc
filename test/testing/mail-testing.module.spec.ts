import 'reflect-metadata';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BaseEmailBackend,
  EmailMessage,
  getMailerToken,
  ImproperlyConfiguredError,
  LocmemEmailBackend,
  MailModule,
  MailOutbox,
  MailService,
  SmtpEmailBackend,
} from '../../lib/index.js';
import { MailTestingModule } from '../../lib/testing/index.js';
import { findMailerAliases } from '../../lib/testing/mail-testing.providers.js';
import {
  Notifier,
  SmtpAppModule,
  smtpOptions,
} from './fixtures/smtp-app.module.js';
import { startTrapServer, type TrapServer } from './fixtures/trap-server.js';

let trap: TrapServer;
let apps: INestApplication[] = [];

beforeAll(async () => {
  trap = await startTrapServer();
});
afterEach(async () => {
  await Promise.all(apps.map((app) => app.close()));
  apps = [];
  // Every mailer of every app points at the trap: nothing may have connected.
  expect(trap.connections).toBe(0);
});
afterAll(() => trap.close());

async function boot(
  builder: ReturnType<typeof Test.createTestingModule>,
): Promise<INestApplication> {
  const app = (await builder.compile()).createNestApplication({
    logger: false,
  });
  apps.push(app);
  await app.init();
  return app;
}

describe('MailTestingModule.createTestingModule', () => {
  it('delivers every mailer of a forRootAsync app into the outbox, recording the alias', async () => {
    const app = await boot(
      MailTestingModule.createTestingModule({
        imports: [SmtpAppModule.register(trap.port)],
      }),
    );
    const outbox = app.get(MailOutbox);
    const notifier = app.get(Notifier);
    const mail = app.get(MailService);

    await notifier.welcome('ana@example.com'); // default + @InjectMailer('bulk')
    await notifier.alert('disk full'); // 'alerts', known only from the factory
    await mail.sendMail('Bulk', 'b', null, ['x@example.com'], {
      using: 'bulk',
    });
    await mail.sendMail('Quiet', 'q', null, ['y@example.com'], {
      failSilently: true, // a fresh connection of the default backend
    });
    await mail.send(new EmailMessage('Direct', 'd', null, ['z@example.com']));
    await app
      .get<BaseEmailBackend>(BaseEmailBackend)
      .sendMessages([
        new EmailMessage('Injected', 'i', null, ['w@example.com']),
      ]);

    expect(outbox.messages.map((m) => [m.subject, m.sentUsing])).toEqual([
      ['Welcome', 'default'],
      ['Newsletter', 'bulk'],
      ['Alert', 'alerts'],
      ['Bulk', 'bulk'],
      ['Quiet', null],
      ['Direct', 'default'],
      ['Injected', 'default'],
    ]);
    expect(outbox.messages[0].fromEmail).toBe('noreply@example.com');
    expect(app.get(getMailerToken('bulk'))).toBeInstanceOf(LocmemEmailBackend);
  });

  it('does the same for forRoot, finding named mailer tokens in nested imports', async () => {
    const options = smtpOptions(trap.port);
    const app = await boot(
      MailTestingModule.createTestingModule({
        imports: [MailModule.forRoot(options)],
      }),
    );
    for (const alias of ['bulk', 'alerts']) {
      const mailer = app.get<BaseEmailBackend>(getMailerToken(alias));
      expect(mailer).toBeInstanceOf(LocmemEmailBackend);
      await mailer.sendMessages([
        new EmailMessage(alias, 'body', null, ['to@example.com']),
      ]);
    }
    expect(app.get(MailOutbox).messages.map((m) => m.sentUsing)).toEqual([
      'bulk',
      'alerts',
    ]);
  });

  it('still checks the configuration: an unknown backend fails at compile', async () => {
    await expect(
      MailTestingModule.createTestingModule({
        imports: [
          MailModule.forRootAsync({
            useFactory: () => ({
              mailers: { bulk: { backend: 'smpt' as never } },
            }),
          }),
        ],
      }).compile(),
    ).rejects.toThrow(ImproperlyConfiguredError);
  });

  it('returns the builder, so other overrides can follow', async () => {
    const app = await boot(
      MailTestingModule.createTestingModule({
        imports: [SmtpAppModule.register(trap.port)],
      })
        .overrideProvider(Notifier)
        .useValue({ tag: 'fake' }),
    );
    expect(app.get(Notifier)).toEqual({ tag: 'fake' });
  });

  it('overrideMailers works on a builder made by hand', async () => {
    const app = await boot(
      MailTestingModule.overrideMailers(
        Test.createTestingModule({
          imports: [SmtpAppModule.register(trap.port), MailTestingModule],
        }),
        { aliases: ['bulk'] },
      ),
    );
    await app.get(Notifier).welcome('bo@example.com');
    expect(app.get(MailOutbox).messages.map((m) => m.sentUsing)).toEqual([
      'default',
      'bulk',
    ]);
  });

  it('renders deterministically when asked', async () => {
    const render = async () => {
      const app = await boot(
        MailTestingModule.createTestingModule(
          { imports: [SmtpAppModule.register(trap.port)] },
          { deterministic: true },
        ),
      );
      await app.get(Notifier).alert('same');
      const [sent] = app.get(MailOutbox).messages;
      return MailOutbox.entryOf(sent)!.raw!.toString();
    };
    const first = await render();
    expect(first).toContain('Date: Thu, 01 Jan 1970 00:00:00 +0000');
    expect(await render()).toBe(first);
  });
});

describe('the trap server', () => {
  it('notices a mailer that does connect', async () => {
    const smtp = new SmtpEmailBackend({
      host: '127.0.0.1',
      port: trap.port,
      timeout: 1,
    });
    await expect(
      smtp.sendMessages([
        new EmailMessage('s', 'b', 'a@example.com', ['b@example.com']),
      ]),
    ).rejects.toThrow();
    expect(trap.connections).toBe(1);
    trap.connections = 0;
  });
});

describe('findMailerAliases', () => {
  it('finds aliases through classes, dynamic modules and forwardRef, once each', () => {
    const forRoot = MailModule.forRoot(smtpOptions(1));
    expect(
      findMailerAliases([
        SmtpAppModule.register(1),
        { forwardRef: () => forRoot },
        forRoot,
        Promise.resolve(forRoot),
      ]).sort(),
    ).toEqual(['alerts', 'bulk']);
  });
});
