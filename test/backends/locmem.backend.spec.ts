import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { BaseEmailBackend } from '../../lib/backends/base.backend.js';
import { DummyEmailBackend } from '../../lib/backends/dummy.backend.js';
import { LocmemEmailBackend } from '../../lib/backends/locmem.backend.js';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { MailOutbox } from '../../lib/outbox/mail-outbox.js';

const message = (subject = 'Subject', to = ['to@example.com']) =>
  new EmailMessage(subject, 'Body', 'from@example.com', to);

describe('LocmemEmailBackend without Nest', () => {
  beforeEach(() => MailOutbox.default.clear());

  it('stores copies in the default outbox and returns the count', async () => {
    const backend = new LocmemEmailBackend();
    expect(backend.outbox).toBe(MailOutbox.default);
    expect(await backend.sendMessages([message('a'), message('b')])).toBe(2);
    expect(MailOutbox.default.messages.map((m) => m.subject)).toEqual([
      'a',
      'b',
    ]);
    expect(await backend.sendMessages([])).toBe(0);
  });

  it('shares the default outbox between instances and never resets it', async () => {
    await new LocmemEmailBackend().sendMessages([message('a')]);
    await new LocmemEmailBackend().sendMessages([message('b')]);
    expect(MailOutbox.default.messages).toHaveLength(2);
  });

  it('validates each message: a bad header propagates and is not stored', async () => {
    const backend = new LocmemEmailBackend({ failSilently: true });
    await expect(
      backend.sendMessages([message('Subject\nBcc: evil@example.com')]),
    ).rejects.toThrow(BadHeaderError);
    await expect(
      backend.sendMessages([message('s', ['a@example.com, b@example.com'])]),
    ).rejects.toThrow(InvalidAddressError);
    expect(MailOutbox.default.messages).toEqual([]);
  });

  it('keeps the messages before a bad one, as a real send would have sent them', async () => {
    const backend = new LocmemEmailBackend();
    await expect(
      backend.sendMessages([message('ok'), message('bad\r\n')]),
    ).rejects.toThrow(BadHeaderError);
    expect(MailOutbox.default.messages.map((m) => m.subject)).toEqual(['ok']);
  });

  it('stores a deep copy: changing the original later does not change it', async () => {
    const original = message('Before');
    original.attach('a.bin', Buffer.from('abc'), 'application/octet-stream');
    original.extraHeaders = { 'X-Tag': 'one' };
    await new LocmemEmailBackend().sendMessages([original]);
    original.subject = 'After';
    original.to.push('late@example.com');
    original.extraHeaders['X-Tag'] = 'two';
    (original.attachments[0].content as Buffer).write('X');
    const [stored] = MailOutbox.default.messages;
    expect(stored).not.toBe(original);
    expect(stored).toBeInstanceOf(EmailMessage);
    expect(stored.subject).toBe('Before');
    expect(stored.to).toEqual(['to@example.com']);
    expect(stored.extraHeaders).toEqual({ 'X-Tag': 'one' });
    expect(String(stored.attachments[0].content)).toBe('abc');
  });

  it('records sentUsing: the alias, or null for a connection made by hand', async () => {
    const plain = new LocmemEmailBackend();
    const named = new LocmemEmailBackend(
      {},
      { alias: 'notifications', messageSettings: {} },
    );
    await plain.sendMessages([message('plain')]);
    await named.sendMessages([message('named')]);
    expect(MailOutbox.default.messages.map((m) => m.sentUsing)).toEqual([
      null,
      'notifications',
    ]);
  });

  it('stores messages without recipients', async () => {
    expect(
      await new LocmemEmailBackend().sendMessages([message('nobody', [])]),
    ).toBe(1);
    expect(MailOutbox.default.messages[0].recipients()).toEqual([]);
  });

  it('fills an empty sender with the default sender on the copy only', async () => {
    const anonymous = new EmailMessage('s', 'b', null, ['to@example.com']);
    await new LocmemEmailBackend().sendMessages([anonymous]);
    await new LocmemEmailBackend(
      {},
      {
        alias: null,
        messageSettings: { defaultFromEmail: 'noreply@example.com' },
      },
    ).sendMessages([anonymous, message()]);
    expect(MailOutbox.default.messages.map((m) => m.fromEmail)).toEqual([
      'webmaster@localhost',
      'noreply@example.com',
      'from@example.com',
    ]);
    expect(anonymous.fromEmail).toBe('');
  });

  it('accepts a generator and iterates it once', async () => {
    function* generate() {
      yield message('1');
      yield message('2');
    }
    const backend = new LocmemEmailBackend();
    const messages = generate();
    expect(await backend.sendMessages(messages)).toBe(2);
    expect(await backend.sendMessages(messages)).toBe(0);
    expect(MailOutbox.default.messages).toHaveLength(2);
  });

  it('writes to the outbox it is given, isolated from others', async () => {
    const first = new MailOutbox();
    const second = new MailOutbox();
    const to = (outbox: MailOutbox) =>
      new LocmemEmailBackend({}, { alias: null, messageSettings: {}, outbox });
    await to(first).sendMessages([message('1')]);
    await to(second).sendMessages([message('2'), message('3')]);
    expect(first.messages.map((m) => m.subject)).toEqual(['1']);
    expect(second.messages.map((m) => m.subject)).toEqual(['2', '3']);
    expect(MailOutbox.default.messages).toEqual([]);
  });
});

describe('MailOutbox', () => {
  it('clear() empties the list in place', () => {
    const outbox = new MailOutbox();
    const list = outbox.messages;
    outbox.record({ message: message() });
    outbox.clear();
    expect(outbox.messages).toBe(list);
    expect(list).toEqual([]);
  });
});

describe('LocmemEmailBackend in Nest', () => {
  @Injectable()
  class Notifier {
    constructor(private readonly mailer: BaseEmailBackend) {}
    notify(subject: string) {
      return this.mailer.sendMessages([message(subject)]);
    }
  }

  @Module({
    providers: [
      MailOutbox,
      Notifier,
      { provide: BaseEmailBackend, useClass: DummyEmailBackend },
    ],
    exports: [Notifier],
  })
  class AppModule {}

  const compile = () =>
    Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(BaseEmailBackend)
      .useClass(LocmemEmailBackend)
      .compile();

  let apps: TestingModule[] = [];
  beforeEach(() => MailOutbox.default.clear());
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
  });

  it('replaces the backend via overrideProvider(...).useClass and writes to the module outbox', async () => {
    const app = await compile();
    apps.push(app);
    const backend = app.get(BaseEmailBackend);
    expect(backend).toBeInstanceOf(LocmemEmailBackend);
    expect(backend.failSilently).toBe(false);
    expect(await app.get(Notifier).notify('hello')).toBe(1);
    const outbox = app.get(MailOutbox);
    expect((backend as LocmemEmailBackend).outbox).toBe(outbox);
    expect(outbox.messages.map((m) => m.subject)).toEqual(['hello']);
    expect(MailOutbox.default.messages).toEqual([]);
  });

  it('gives each application its own outbox', async () => {
    const [a, b] = await Promise.all([compile(), compile()]);
    apps.push(a, b);
    await a.get(Notifier).notify('to a');
    expect(a.get(MailOutbox).messages).toHaveLength(1);
    expect(b.get(MailOutbox).messages).toHaveLength(0);
  });
});
