import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  EmailMessage,
  EmailMultiAlternatives,
  MailerDoesNotExistError,
  MailModule,
  MailOutbox,
  MailService,
} from '../../lib/index.js';
import {
  MailQueueWorker,
  MailQueueWorkerModule,
  queue,
  QueueEmailBackend,
  QueuedMessageTooLargeError,
  type QueueMailerOptions,
} from '../../lib/queue/index.js';
import {
  deserializeMessage,
  serializeMessage,
} from '../../lib/queue/message-codec.js';
import { jobIdOf } from '../../lib/queue/queue.backend.js';
import { INSTALL_BULLMQ, loadBullmq } from '../../lib/queue/load-bullmq.js';
import { waitFor } from '../support/smtp-sink.js';
import { inspect, onlyJob, queueName, startApp, useRedis } from './helpers.js';

const redis = useRedis();
let app: INestApplicationContext | undefined;
let jobs: Queue | undefined;
let name: string;

afterEach(async () => {
  await app?.close();
  app = undefined;
  await jobs?.obliterate({ force: true });
  await jobs?.close();
  jobs = undefined;
});

function bulk(options: Partial<QueueMailerOptions> = {}) {
  name = queueName();
  jobs = inspect(redis.port, name);
  return queueConfig(options);
}

function queueConfig(options: Partial<QueueMailerOptions>) {
  return queue({
    connection: { host: '127.0.0.1', port: redis.port },
    queueName: name,
    ...options,
  });
}

describe('a queued mailer', () => {
  it('queues sendMail(..., { using }) in Redis, the job id being the fixed Message-ID', async () => {
    app = await startApp([
      MailModule.forRoot({
        backend: 'dummy',
        defaultFromEmail: 'app@example.com',
        mailers: { bulk: bulk() },
      }),
    ]);
    const mail = app.get(MailService);
    expect(
      await mail.sendMail('Hi', 'Body', null, ['to@example.com'], {
        using: 'bulk',
      }),
    ).toBe(1);

    const job = await onlyJob(jobs!);
    expect(await job.getState()).toBe('waiting');
    expect(job.id).toBe(jobIdOf(job.data.messageId));
    expect(job.data.messageId).toMatch(/^<.+@.+>$/);
    const message = deserializeMessage(job.data.message);
    expect(message.subject).toBe('Hi');
    expect(message.fromEmail).toBe('app@example.com');
    expect(message.extraHeaders['Message-ID']).toBe(job.data.messageId);
    expect(message.extraHeaders['Date']).toMatch(/ \+0000$/);
  });

  it('queues the same message once, however often it is sent', async () => {
    app = await startApp([
      MailModule.forRoot({ backend: 'dummy', mailers: { bulk: bulk() } }),
    ]);
    const mail = app.get(MailService);
    const msg = new EmailMessage('Once', 'Body', 'a@example.com', [
      'b@example.com',
    ]);
    await mail.send(msg, { using: 'bulk' });
    await mail.send(msg, { using: 'bulk' });
    await mail.send([msg, msg.clone()], { using: 'bulk' });
    expect(await jobs!.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('refuses a message above maxMessageBytes, saying the limit, and queues nothing', async () => {
    app = await startApp([
      MailModule.forRoot({
        backend: 'dummy',
        mailers: { bulk: bulk({ maxMessageBytes: 4096 }) },
      }),
    ]);
    const msg = new EmailMessage('Big', 'Body', 'a@example.com', [
      'b@example.com',
    ]);
    msg.attach('big.bin', Buffer.alloc(8192));
    const sending = app.get(MailService).send(msg, { using: 'bulk' });
    await expect(sending).rejects.toThrow(QueuedMessageTooLargeError);
    await expect(sending).rejects.toThrow(
      /the limit is 0\.0 MB.*maxMessageBytes of mailer 'bulk'/,
    );
    expect(await jobs!.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('fails at startup when the target mailer does not exist', async () => {
    await expect(
      startApp([
        MailModule.forRoot({
          backend: 'dummy',
          mailers: { bulk: bulk({ target: 'smtp' }) },
        }),
      ]),
    ).rejects.toThrow(MailerDoesNotExistError);
  });

  it('fails at startup with "install bullmq" when BullMQ is missing', async () => {
    const missing = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package 'bullmq'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
      );
    await expect(loadBullmq(missing)).rejects.toThrow(INSTALL_BULLMQ);

    class WithoutBullmq extends QueueEmailBackend {
      protected override importBullmq() {
        return loadBullmq(missing);
      }
    }
    await expect(
      startApp([
        MailModule.forRoot({
          backend: 'dummy',
          mailers: {
            bulk: {
              backend: WithoutBullmq,
              options: { connection: { port: redis.port } },
            },
          },
        }),
      ]),
    ).rejects.toThrow(/install bullmq \(npm install bullmq ioredis\)/);
  });

  it('records queued mail in the outbox as queued, and the same entry as sent once a worker delivered it', async () => {
    app = await startApp([
      MailModule.forRoot({ backend: 'locmem', mailers: { bulk: bulk() } }),
      MailQueueWorkerModule.forRoot({}),
    ]);
    const worker = app.get(MailQueueWorker).worker!;
    await worker.pause();
    const outbox = app.get(MailOutbox);
    await app
      .get(MailService)
      .sendMail('Queued', 'Body', null, ['to@example.com'], { using: 'bulk' });

    expect(outbox.messages).toHaveLength(1);
    const [entry] = outbox.messages;
    expect(entry.sentUsing).toBe('bulk');
    expect(MailOutbox.entryOf(entry)?.status).toBe('queued');

    worker.resume();
    await waitFor(
      () => MailOutbox.entryOf(entry)?.status === 'sent',
      5000,
      'delivery',
    );
    expect(outbox.messages).toEqual([entry]);
    expect(MailOutbox.entryOf(entry)?.raw?.toString()).toContain(
      'Subject: Queued',
    );
  });
});

describe('the job format', () => {
  it('round-trips every field, attachments as base64 (attachFile read from a copy) and alternatives', () => {
    const inner = new EmailMessage('Inner', 'inner body', 'x@example.com', [
      'y@example.com',
    ]);
    const msg = new EmailMultiAlternatives(
      'S',
      'text',
      'f@example.com',
      ['t@example.com'],
      {
        cc: ['c@example.com'],
        bcc: ['b@example.com'],
        replyTo: ['r@example.com'],
        headers: { 'X-Tag': 'v', Date: new Date('2024-01-02T03:04:05Z') },
      },
    );
    msg.attach('a.bin', Buffer.from([0, 1, 255]));
    msg.attach('a.txt', 'plain text');
    msg.attach(null, inner);
    msg.attachFile(
      new URL(import.meta.url).pathname.replace(
        /queue-mailer\.spec\.ts$/,
        'fixtures/mail-worker.config.mjs',
      ),
      'application/octet-stream',
    );
    msg.attachAlternative('<p>html</p>', 'text/html');
    msg.encoding = 'iso-8859-1';

    const json = JSON.parse(JSON.stringify(serializeMessage(msg)));
    const back = deserializeMessage(json) as EmailMultiAlternatives;
    expect(back).toBeInstanceOf(EmailMultiAlternatives);
    for (const field of [
      'subject',
      'body',
      'fromEmail',
      'to',
      'cc',
      'bcc',
      'replyTo',
      'encoding',
      'contentSubtype',
      'extraHeaders',
      'alternatives',
    ] as const)
      expect(back[field]).toEqual(msg[field]);
    expect(back.attachments.map((a) => a.content)).toEqual([
      Buffer.from([0, 1, 255]),
      'plain text',
      expect.any(EmailMessage),
      msg.attachments[3].content,
    ]);
    expect((back.attachments[2].content as EmailMessage).subject).toBe('Inner');
    expect(json.attachments[0].content).toEqual({ base64: 'AAH/' });
  });
});
