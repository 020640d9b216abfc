import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import { MailModule, MailService } from '../../lib/index.js';
import { MailQueueWorkerModule, queue } from '../../lib/queue/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import {
  startCountingSink,
  type CountingSink,
} from '../support/counting-sink.js';
import { waitFor } from '../support/smtp-sink.js';
import { queueName, startApp } from './helpers.js';

let redis: RedisServer;
let sink: CountingSink | undefined;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedisServer();
}, 120_000);
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

describe('a queue worker with concurrency K', () => {
  it('delivers K jobs at once over K pooled SMTP connections', async () => {
    sink = await startCountingSink({ hold: true });
    const started = sink;
    cleanup.push(() => started.close());
    const nest = await startApp([
      MailModule.forRoot({
        options: { host: '127.0.0.1', port: sink.port },
        mailers: {
          bulk: queue({
            connection: { host: '127.0.0.1', port: redis.port },
            queueName: queueName(),
          }),
        },
      }),
      MailQueueWorkerModule.forRoot({ concurrency: 3 }),
    ]);
    cleanup.push(async () => {
      started.releaseHeld();
      await nest.close();
    });
    const mail = nest.get(MailService);
    const items = Array.from(
      { length: 9 },
      (_, i) =>
        [`q${i}`, 'Body', 'from@example.com', [`to${i}@example.com`]] as [
          string,
          string,
          string,
          string[],
        ],
    );
    expect(await mail.sendMassMail(items, { using: 'bulk' })).toBe(9);
    // Three messages in their DATA phase at the same time: three connections.
    await waitFor(
      () => sink!.held.length === 3,
      10_000,
      'three jobs in flight',
    );
    expect(sink.connectionCount).toBe(3);
    while (sink.messages.length < 9) {
      started.releaseHeld();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(new Set(sink.messages.map((m) => m.parsed.subject)).size).toBe(9);
    expect(sink.peak).toBe(3);
  }, 30_000);
});
