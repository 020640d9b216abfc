import 'reflect-metadata';
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { MailModule, MailOutbox, MailService } from '../../lib/index.js';
import {
  captureMail,
  MailTestingModule,
  mailMatchers,
} from '../../lib/testing/index.js';

expect.extend(mailMatchers);

@Injectable()
class SignupService {
  constructor(private readonly mail: MailService) {}

  register(email: string): Promise<number> {
    return this.mail.sendMail('Welcome!', 'Your account is ready.', null, [
      email,
    ]);
  }
}

@Module({
  imports: [MailModule.forRoot({ defaultFromEmail: 'shop@example.com' })],
  providers: [SignupService],
})
class AppModule {}

const HINT = 'Jest runs no beforeEach hook for it.concurrent tests';

describe('concurrent tests share one app made in beforeAll (the documented pattern)', () => {
  let app: INestApplication;
  let outbox: MailOutbox;

  beforeAll(async () => {
    const moduleRef = await MailTestingModule.createTestingModule({
      imports: [AppModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    outbox = app.get(MailOutbox);
  });
  afterAll(() => app.close());

  it.concurrent.each(['ana', 'bob', 'eve'])(
    'each concurrent test sees only its own mail (%s)',
    async (name) => {
      const sent = await captureMail(outbox, () =>
        app.get(SignupService).register(`${name}@example.com`),
      );
      expect(sent).toHaveSentMailCount(1);
      await expect(sent).toHaveSentMail({ to: `${name}@example.com` });
    },
  );
});

describe('the slip the README example used to make', () => {
  let outbox: MailOutbox | undefined;
  beforeEach(() => {
    outbox = new MailOutbox();
  });

  it.concurrent(
    'an outbox set in beforeEach is undefined in it.concurrent: captureMail says what to change',
    async () => {
      await expect(captureMail(outbox, () => undefined)).rejects.toThrow(
        `captureMail(outbox, block) got undefined instead of a MailOutbox. ${HINT}`,
      );
    },
  );

  it('the matchers say the same for an undefined outbox', () => {
    expect(() => expect(undefined).toHaveSentMailCount(1)).toThrow(
      `expect(outbox) got undefined instead of a MailOutbox. ${HINT}`,
    );
  });

  it('capture() given a promise instead of a function fails: that mail was sent before the capture', async () => {
    const box = new MailOutbox();
    const started = Promise.resolve(1);
    await expect(
      box.capture(started as unknown as () => Promise<number>),
    ).rejects.toThrow(
      "capture() takes a function that sends the mail, e.g. capture(() => signup.register('ana@example.com')); " +
        'it got a Promise: the code ran before the capture started, so nothing it sends is captured.',
    );
  });
});
