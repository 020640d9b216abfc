// The sink of bench/link.mjs, in its own process: smtp-server with STARTTLS
// (a throwaway certificate) and AUTH PLAIN, behind a latency proxy that
// delays each direction by RTT/2. Nagle is off on every socket (proxy and
// smtp-server), so a pipelined reply never waits for a delayed ACK. The proxy
// runs here, not in the client's process, so the client's CPU is its own.
//
// argv: <rtt ms> <cert.pem> <key.pem>, or <rtt ms> plain (no STARTTLS, no
// AUTH). Reports { ready: port } over IPC, then
// answers { cmd: 'stats' | 'reset' } with messages, connections (opened
// through the proxy) and the most connections open at once.
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

const [rtt, certFile, keyFile] = process.argv.slice(2);
const oneWay = Number(rtt) / 2;
const stats = { messages: 0, connections: 0, open: 0, peakOpen: 0 };

const plain = certFile === 'plain';
const smtp = new SMTPServer({
  disableReverseLookup: true,
  ...(plain
    ? { hideSTARTTLS: true, authOptional: true }
    : {
        authMethods: ['PLAIN'],
        cert: readFileSync(certFile),
        key: readFileSync(keyFile),
      }),
  logger: false,
  onAuth(auth, _session, callback) {
    if (auth.username === 'bench' && auth.password === 'secret') {
      return callback(null, { user: auth.username });
    }
    callback(new Error('Invalid username or password'));
  },
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stats.messages++;
      callback(null, 'queued');
    });
  },
});
smtp.on('error', (err) => console.error('link sink:', err.message));
smtp.server.prependListener('connection', (socket) => socket.setNoDelay(true));

/** Copies `from` to `to`, each chunk (and the end) `oneWay` ms later, in order. */
function delayed(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), oneWay));
  from.on('end', () => setTimeout(() => to.end(), oneWay));
  from.on('close', () => setTimeout(() => to.destroy(), oneWay + 1));
  from.on('error', () => undefined);
}

const proxy = createServer((client) => {
  stats.connections++;
  stats.peakOpen = Math.max(stats.peakOpen, ++stats.open);
  client.once('close', () => stats.open--);
  client.setNoDelay(true);
  const server = connect(smtpPort, '127.0.0.1');
  server.setNoDelay(true);
  delayed(client, server);
  delayed(server, client);
});

const smtpPort = await new Promise((resolve) =>
  smtp.listen(0, '127.0.0.1', () => resolve(smtp.server.address().port)),
);
const port = await new Promise((resolve) =>
  proxy.listen(0, '127.0.0.1', () => resolve(proxy.address().port)),
);

process.on('message', (msg) => {
  if (msg.cmd === 'reset') {
    stats.messages = stats.connections = 0;
    stats.peakOpen = stats.open;
  }
  if (msg.cmd === 'stats' || msg.cmd === 'reset') {
    process.send({ stats: { ...stats } });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: port });
