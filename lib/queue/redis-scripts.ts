import type { RedisQueueBackend } from 'bullmq';

/** A BullMQ queue or worker on Redis (what the scripts below run against). */
export interface OnRedis {
  backend: RedisQueueBackend;
  toKey(type: string): string;
}

/** The Lua scripts of this package, each with its KEYS count. */
const SCRIPTS = {
  // KEYS[1]: the queue's key prefix; ARGV: job id, text its data must contain, ...
  // For each job: 1 when its data contains the text (or it is gone), else 0.
  nestjsMailCreatedBy: {
    numberOfKeys: 1,
    lua: `
local out = {}
for i = 1, #ARGV, 2 do
  local data = redis.call('HGET', KEYS[1] .. ARGV[i], 'data')
  out[#out + 1] = ((not data) or string.find(data, ARGV[i + 1], 1, true)) and 1 or 0
end
return out`,
  },
  // KEYS: job hash, failed set; ARGV: job id, new data. Replaces the data of a
  // failed job and forgets its marks and stall count; 0 when it is not failed.
  nestjsMailReplaceFailed: {
    numberOfKeys: 2,
    lua: `
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('HDEL', KEYS[1], 'progress', 'defa', 'stc')
return 1`,
  },
  // KEYS: job hash, its lock, its logs; ARGV: lock token, progress JSON, log line.
  // Records the mark only while this worker holds the job's lock; 0 otherwise.
  nestjsMailMarkDataOut: {
    numberOfKeys: 3,
    lua: `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[3])
return 1`,
  },
} as const;

const defined = new WeakSet<object>();

/** Runs one of this package's scripts on the connection of `on` (KEYS first, then ARGV). */
export async function runScript(
  on: OnRedis,
  name: keyof typeof SCRIPTS,
  args: Array<string | number>,
): Promise<unknown> {
  const client = await on.backend.client;
  if (!defined.has(client)) {
    for (const [command, definition] of Object.entries(SCRIPTS))
      client.defineCommand(command, definition);
    defined.add(client);
  }
  return client.runCommand(name, args);
}
