import type { SMTPServerOptions } from 'smtp-server';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

/** An {@link SmtpSink} that counts open connections and can hold replies back. */
export interface CountingSink extends SmtpSink {
  /** The most connections open at once so far. */
  readonly peak: number;
  /** Replies to the final `.` held back (with `hold`), oldest first. */
  held: Array<() => void>;
  /** Sends every held reply. */
  releaseHeld(): void;
  /** When each MAIL FROM arrived (ms since the epoch). */
  mailFromAt: number[];
}

/**
 * Starts a real smtp-server that records the most connections open at once
 * and the arrival time of each MAIL FROM (`server`: more smtp-server
 * options); with `hold`, it keeps each
 * message's final reply until `releaseHeld()`, so the connection stays busy.
 */
export async function startCountingSink(
  options: { hold?: boolean; server?: SMTPServerOptions } = {},
): Promise<CountingSink> {
  let live = 0;
  let peak = 0;
  const held: Array<() => void> = [];
  const mailFromAt: number[] = [];
  const sink = await startSmtpSink({
    ...options.server,
    onConnect(_session, callback) {
      peak = Math.max(peak, ++live);
      callback();
    },
    onClose() {
      live--;
    },
    onMailFrom(_address, _session, callback) {
      mailFromAt.push(Date.now());
      callback();
    },
    ...(options.hold && {
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => held.push(() => callback()));
      },
    }),
  });
  return Object.defineProperties(sink, {
    peak: { get: () => peak },
    held: { value: held },
    mailFromAt: { value: mailFromAt },
    releaseHeld: {
      value: () => held.splice(0).forEach((reply) => reply()),
    },
  }) as CountingSink;
}
