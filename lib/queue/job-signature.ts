import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MailJobData } from './queue.backend.js';

/** What is signed: everything of a job that decides what is sent, and to whom. */
function signed(data: MailJobData): string {
  return JSON.stringify([
    data.enqueueId ?? null,
    data.messageId,
    data.retryAmbiguous,
    data.message,
  ]);
}

/** The job's signature, hex: HMAC-SHA256 of its enqueue id, Message-ID, `retryAmbiguous` and serialized message. */
export function signJob(data: MailJobData, secret: string | Buffer): string {
  return createHmac('sha256', secret).update(signed(data)).digest('hex');
}

/** Whether the job carries the signature `secret` gives it (compared in constant time). */
export function hasValidSignature(
  data: MailJobData,
  secret: string | Buffer,
): boolean {
  if (typeof data.signature !== 'string') return false;
  const expected = Buffer.from(signJob(data, secret), 'hex');
  const given = Buffer.from(data.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
