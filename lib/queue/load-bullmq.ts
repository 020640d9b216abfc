import type * as Bullmq from 'bullmq';
import { importOptional } from '../utils/import-optional.js';

/** What to tell a user who configures a queued mailer without BullMQ. */
export const INSTALL_BULLMQ =
  'Queued mailers need BullMQ and a Redis client: install bullmq (npm install bullmq ioredis)';

/** The parts of BullMQ this package uses. */
export type BullmqModule = Pick<
  typeof Bullmq,
  'Queue' | 'Worker' | 'UnrecoverableError'
>;

/**
 * Loads the optional `bullmq` peer dependency and the `ioredis` client it
 * creates connections with, or throws an Error that says what to install.
 *
 * @param importer how to import them (a test can pass a failing importer).
 */
export function loadBullmq(
  importer: () => Promise<BullmqModule> = async () => {
    await import('ioredis');
    return import('bullmq');
  },
): Promise<BullmqModule> {
  return importOptional(importer, INSTALL_BULLMQ);
}
