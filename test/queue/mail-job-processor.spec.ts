import { describe, expect, it } from '@jest/globals';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  EmailMessage,
  LocmemEmailBackend,
  MailOutbox,
} from '../../lib/index.js';
import type { MailJobData, StoredOutcome } from '../../lib/queue/index.js';
import { serializeMessage } from '../../lib/queue/message-codec.js';
import { jobIdOf } from '../../lib/queue/queue.backend.js';
import { processMailJob } from '../../lib/queue/mail-job.processor.js';

/** A job as a worker takes it over at attempt 2, attempt 1 having marked its data as going out. */
function takenOver(outcome: Partial<StoredOutcome>) {
  const messageId = '<taken-over@example.com>';
  const message = new EmailMessage('Hi', 'Body', 'from@example.com', [
    'to@example.com',
  ]);
  message.extraHeaders['Message-ID'] = messageId;
  const data: MailJobData = {
    message: serializeMessage(message),
    messageId,
    retryAmbiguous: false,
    enqueueId: 'e1',
    outcome: { attempt: 1, ...outcome },
  };
  const updates: unknown[] = [];
  const job = {
    id: jobIdOf(messageId),
    data,
    opts: { attempts: 5 },
    attemptsStarted: 2,
    progress: {
      dataOut: { attempt: 1, at: '2026-01-01T00:00:00Z', enqueueId: 'e1' },
    },
    updateData: async (next: unknown) => void updates.push(next),
  } as unknown as Job<MailJobData>;
  return { job, updates };
}

function context() {
  const worker = {
    toKey: (id: string) => `bull:q:${id}`,
    backend: {
      client: Promise.resolve({
        defineCommand() {},
        runCommand: async () => 1,
      }),
    },
  };
  return { worker, token: 't', UnrecoverableError } as never;
}

describe('processMailJob on a job whose attempt 1 marked its data as going out', () => {
  it('does not send when that attempt recorded only an ambiguous outcome: fails it as ambiguous', async () => {
    const outbox = new MailOutbox();
    const { job } = takenOver({ classification: 'ambiguous' });
    const run = processMailJob(
      job,
      new LocmemEmailBackend({}, outbox),
      context(),
    );
    await expect(run).rejects.toThrow(UnrecoverableError);
    await expect(run).rejects.toThrow(
      /^ambiguous: attempt 1 stopped after its data went out/,
    );
    expect(outbox.messages).toHaveLength(0);
  });

  it('sends when that attempt recorded a reply (a 451 after the data)', async () => {
    const outbox = new MailOutbox();
    const { job } = takenOver({ classification: 'transient' });
    const outcome = await processMailJob(
      job,
      new LocmemEmailBackend({}, outbox),
      context(),
    );
    expect(outcome).toMatchObject({ status: 'sent', attempt: 2 });
    expect(outbox.messages).toHaveLength(1);
  });
});
