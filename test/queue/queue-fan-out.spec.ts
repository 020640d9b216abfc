import { describe, expect, it } from '@jest/globals';
import { startCountingSink } from '../support/counting-sink.js';
import { waitFor } from '../support/smtp-sink.js';
import { cleanup, queueApp, useRedis } from './helpers.js';

const redis = useRedis();

describe('a queue worker with concurrency K', () => {
  it('delivers K jobs at once over K pooled SMTP connections', async () => {
    const sink = await startCountingSink({ hold: true });
    cleanup.push(() => sink.close());
    const { mail } = await queueApp(redis.port, sink.port, {
      worker: { concurrency: 3 },
    });
    // Runs first: releases the held messages before the app closes.
    cleanup.push(async () => sink.releaseHeld());
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
    await waitFor(() => sink.held.length === 3, 10_000, 'three jobs in flight');
    expect(sink.connectionCount).toBe(3);
    while (sink.messages.length < 9) {
      sink.releaseHeld();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(new Set(sink.messages.map((m) => m.parsed.subject)).size).toBe(9);
    expect(sink.peak).toBe(3);
  }, 30_000);
});
