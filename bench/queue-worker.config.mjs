// The worker processes of the queue benchmarks (bench/queue-harness.mjs): `node dist/cli.js worker --config bench/queue-worker.config.mjs`.
import { queue } from '../dist/queue/index.js';

export default {
  options: { host: '127.0.0.1', port: Number(process.env.SMTP_PORT) },
  mailers: {
    bulk: queue({
      connection: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) },
      queueName: process.env.QUEUE_NAME,
    }),
  },
};
