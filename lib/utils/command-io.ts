import type { EventEmitter } from 'node:events';

/** Streams and signals the command uses; the real process by default. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Emits `SIGINT`/`SIGTERM`. */
  signals: EventEmitter;
  /** Environment of the `worker` command; `process.env` when omitted. */
  env?: NodeJS.ProcessEnv;
}
