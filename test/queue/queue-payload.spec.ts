import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import { Redis } from 'ioredis';
import {
  MailQueueWorker,
  type MailJobData,
  type QueueMailerOptions,
} from '../../lib/queue/index.js';
import { jobIdOf } from '../../lib/queue/queue.backend.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import {
  cleanup,
  mailMessage,
  queueApp,
  settle,
  useRedis,
  waitForState,
} from './helpers.js';

const redis = useRedis();
// One sink for the file; emptied after each test.
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
});
afterAll(async () => {
  await smtp?.close();
});
afterEach(() => {
  smtp.messages.length = 0;
});

/**
 * Queues one message with the worker paused, replaces the job's data in
 * Redis with what `change` makes of it, lets the worker run, and returns
 * the job once it reached `state`.
 */
async function tampered(
  change: (data: MailJobData, raw: string) => unknown,
  state: 'completed' | 'failed',
  options: Partial<QueueMailerOptions> = {},
) {
  const { mail, jobs, app, name } = await queueApp(redis.port, smtp.port, {
    worker: {},
    attempts: 3,
    ...options,
  });
  const worker = app.get(MailQueueWorker).worker!;
  await worker.pause();
  const result = await mail.sendDetailed(mailMessage(), { using: 'bulk' });
  const id = jobIdOf(result.outcomes[0].messageId!);
  const raw = new Redis({ host: '127.0.0.1', port: redis.port });
  cleanup.push(() => raw.quit());
  const key = `bull:${name}:${id}`;
  const data = (await raw.hget(key, 'data'))!;
  const next = change(JSON.parse(data), data);
  await raw.hset(
    key,
    'data',
    typeof next === 'string' ? next : JSON.stringify(next),
  );
  worker.resume();
  const job = await waitForState(jobs, id, state);
  await settle();
  return { job, jobs };
}

/** A message with a chain of `depth` attached messages, as job JSON. */
function nested(depth: number, messageId: string): string {
  const fields = (headers: string) =>
    `"subject":"s","body":"b","fromEmail":"f@example.com","to":["t@example.com"],` +
    `"cc":[],"bcc":[],"replyTo":[],"headers":${headers},"contentSubtype":"plain","encoding":null`;
  const open = `{${fields('{}')},"attachments":[{"filename":null,"mimetype":"message/rfc822","content":{"message":`;
  const chain =
    open.repeat(depth) +
    `{${fields('{}')},"attachments":[]}` +
    '}}]}'.repeat(depth);
  const top = `{${fields(JSON.stringify({ 'Message-ID': messageId }))},"attachments":[{"filename":null,"mimetype":"message/rfc822","content":{"message":${chain}}}]}`;
  return `{"message":${top},"messageId":${JSON.stringify(messageId)},"retryAmbiguous":false}`;
}

describe('job data changed in Redis', () => {
  it.each([
    ['not JSON', () => 'this is not JSON'],
    ['truncated JSON', (_: MailJobData, raw: string) => raw.slice(0, 40)],
  ])(
    'fails permanently at once when it is %s, unsent, and stays readable',
    async (_what, change) => {
      const { job, jobs } = await tampered(change, 'failed');
      expect(job.failedReason).toMatch(
        /^permanent: the job data is not JSON \(.+\); not sent$/,
      );
      expect(job.attemptsStarted).toBe(1);
      expect(smtp.messages).toHaveLength(0);
      const all = await jobs.getJobs();
      expect(all).toHaveLength(1);
      expect(all[0].data).toMatchObject({ unreadable: expect.any(String) });
    },
  );

  it('fails permanently (not transient) when its messages nest 20,000 deep', async () => {
    const { job } = await tampered(
      (data) => nested(20_000, data.messageId),
      'failed',
    );
    expect(job.failedReason).toMatch(
      /^permanent: the job data is invalid: .*nests attached messages more than 16 deep; not sent$/,
    );
    expect(job.attemptsStarted).toBe(1);
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails permanently when a field has the wrong type', async () => {
    const { job } = await tampered(
      (data) => ({
        ...data,
        message: { ...data.message, to: 'x@evil.example' },
      }),
      'failed',
    );
    expect(job.failedReason).toBe(
      'permanent: the job data is invalid: message.to is not a list; not sent',
    );
    expect(smtp.messages).toHaveLength(0);
  });

  describe('with a signingSecret', () => {
    const signingSecret = 'a secret of at least 32 random bytes!!';

    it('delivers a job it signed', async () => {
      const { job } = await tampered((data) => data, 'completed', {
        signingSecret,
      });
      expect(job.data.signature).toMatch(/^[0-9a-f]{64}$/);
      expect(smtp.messages).toHaveLength(1);
    });

    it.each([
      [
        'recipients changed',
        (data: MailJobData) => ({
          ...data,
          message: { ...data.message, to: ['attacker@evil.example'] },
        }),
      ],
      [
        'attachment swapped',
        (data: MailJobData) => ({
          ...data,
          message: {
            ...data.message,
            attachments: [
              {
                filename: 'invoice.exe',
                mimetype: 'application/octet-stream',
                content: { base64: 'TVqQAAMAAAAEAAAA' },
              },
            ],
          },
        }),
      ],
      [
        'signature removed',
        (data: MailJobData) => ({ ...data, signature: undefined }),
      ],
    ])('refuses a job with its %s, unsent', async (_what, change) => {
      const { job } = await tampered(change, 'failed', { signingSecret });
      expect(job.failedReason).toBe(
        'permanent: the job signature is missing or does not match signingSecret ' +
          '(the job was not queued with this secret, or was changed in Redis); not sent',
      );
      expect(job.attemptsStarted).toBe(1);
      expect(smtp.messages).toHaveLength(0);
    });
  });
});
