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
import { EmailMessage, MailOutbox, MailService } from '../../lib/index.js';
import {
  joinMailCapture,
  MAIL_CAPTURE_HEADER,
  MailTestingModule,
} from '../../lib/testing/index.js';
import { Notifier, SmtpAppModule } from './fixtures/smtp-app.module.js';
import { startTrapServer, type TrapServer } from './fixtures/trap-server.js';

let trap: TrapServer;
let app: INestApplication;
let outbox: MailOutbox;
let base: string;

beforeAll(async () => {
  trap = await startTrapServer();
  const moduleRef = await MailTestingModule.createTestingModule({
    imports: [SmtpAppModule.register(trap.port)],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  outbox = app.get(MailOutbox);
});
afterEach(() => outbox.clear());
afterAll(async () => {
  await app.close();
  expect(trap.connections).toBe(0);
  await trap.close();
});

const subjectsAndRecipients = (messages: EmailMessage[]) =>
  messages.map((m) => `${m.subject} → ${m.to.join(',')}`).sort();

function signup(email: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email }),
  });
}

describe('outbox.capture', () => {
  it('gives two concurrent captures in one app only their own mail, deeper async work included', async () => {
    const notifier = app.get(Notifier);
    const run = (who: string) =>
      outbox.capture(async () => {
        await notifier.welcome(`${who}@example.com`); // timer + promise chain inside
        await notifier.alert(`${who} again`);
      });
    const [ana, bo] = await Promise.all([run('ana'), run('bo')]);
    expect(subjectsAndRecipients(ana)).toEqual([
      'Alert → ops@example.com',
      'Newsletter → ana@example.com',
      'Welcome → ana@example.com',
    ]);
    expect(ana.find((m) => m.subject === 'Alert')?.body).toBe('ana again');
    expect(subjectsAndRecipients(bo)).toEqual([
      'Alert → ops@example.com',
      'Newsletter → bo@example.com',
      'Welcome → bo@example.com',
    ]);
    expect(bo.find((m) => m.subject === 'Alert')?.body).toBe('bo again');
    expect(outbox.messages).toHaveLength(6);
  });

  it.concurrent.each(['c1', 'c2', 'c3'])(
    'isolates it.concurrent tests (%s)',
    async (who) => {
      const sent = await outbox.capture(() =>
        app.get(Notifier).welcome(`${who}@example.com`),
      );
      expect(subjectsAndRecipients(sent)).toEqual([
        `Newsletter → ${who}@example.com`,
        `Welcome → ${who}@example.com`,
      ]);
    },
  );

  it('nests: the outer capture also sees what the inner one captured', async () => {
    const mail = app.get(MailService);
    let inner: EmailMessage[] = [];
    const outer = await outbox.capture(async () => {
      await mail.sendMail('outer', 'o', null, ['a@example.com']);
      inner = await outbox.capture(() =>
        mail.sendMail('inner', 'i', null, ['b@example.com']),
      );
    });
    expect(inner.map((m) => m.subject)).toEqual(['inner']);
    expect(outer.map((m) => m.subject)).toEqual(['outer', 'inner']);
  });

  it('rejects with the error of the block', async () => {
    await expect(
      outbox.capture(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });

  it('does not follow an HTTP request by itself: the handler runs in the server’s context', async () => {
    const sent = await outbox.capture(async () => {
      expect((await signup('lost@example.com')).status).toBe(201);
    });
    expect(sent).toEqual([]);
    expect(outbox.messages).toHaveLength(2); // sent all the same
  });

  it('follows HTTP requests that carry capture.headers, concurrently', async () => {
    const [ana, bo] = await Promise.all(
      ['ana', 'bo'].map((who) =>
        outbox.capture(async ({ headers }) => {
          expect(headers).toEqual({
            [MAIL_CAPTURE_HEADER]: expect.any(String),
          });
          const res = await signup(`${who}@example.com`, headers);
          expect(res.status).toBe(201);
        }),
      ),
    );
    expect(subjectsAndRecipients(ana)).toEqual([
      'Newsletter → ana@example.com',
      'Welcome → ana@example.com',
    ]);
    expect(subjectsAndRecipients(bo)).toEqual([
      'Newsletter → bo@example.com',
      'Welcome → bo@example.com',
    ]);
  });

  it('joinMailCapture carries a capture over a boundary that loses the context', async () => {
    const mail = app.get(MailService);
    const jobs: Array<() => void> = [];
    // A worker started outside any capture, like a queue consumer.
    const worker = setInterval(() => jobs.splice(0).forEach((job) => job()), 2);
    try {
      const send = (subject: string, id?: string) =>
        new Promise((resolve, reject) =>
          jobs.push(() => {
            joinMailCapture(id, () =>
              mail.sendMail(subject, 'j', null, ['j@example.com']),
            ).then(resolve, reject);
          }),
        );
      const joined = await outbox.capture(({ id }) => send('joined', id));
      const lost = await outbox.capture(() => send('lost'));
      expect(joined.map((m) => m.subject)).toEqual(['joined']);
      expect(lost).toEqual([]);
    } finally {
      clearInterval(worker);
    }
    expect(joinMailCapture('no-such-capture', () => 42)).toBe(42);
  });
});
