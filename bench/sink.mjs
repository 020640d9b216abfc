// The benchmark's SMTP sink, run in its own process by bench/run.mjs.
//
// - "smtp-server": smtp-server on 127.0.0.1, no reverse lookup, auth optional,
//   STARTTLS hidden, data drained and thrown away. Note its fixed 100 ms delay
//   before every greeting (smtp-server 3.21.6): per-connection costs show up.
// - "raw": a minimal SMTP sink on raw `net` (immediate greeting, PIPELINING,
//   ends DATA on CRLF.CRLF only), for the protocol floor.
//
// Reports { ready: { smtp, raw } } over IPC, then answers { cmd: 'stats' }
// (and 'reset') with message, connection and byte counts.
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

const stats = { messages: 0, connections: 0, bytes: 0 };

const smtp = new SMTPServer({
  disableReverseLookup: true,
  authOptional: true,
  hideSTARTTLS: true,
  logger: false,
  onConnect(_session, callback) {
    stats.connections++;
    callback();
  },
  onData(stream, _session, callback) {
    stream.on('data', (chunk) => {
      stats.bytes += chunk.length;
    });
    stream.on('end', () => {
      stats.messages++;
      callback(null, 'queued');
    });
  },
});
smtp.on('error', (err) => console.error('sink:', err.message));

const CAPABILITIES =
  '250-raw-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 0\r\n';

/** One raw SMTP session: commands answered at once, DATA counted until CRLF.CRLF. */
function rawSession(socket) {
  stats.connections++;
  socket.setNoDelay(true);
  socket.write('220 raw-sink ESMTP\r\n');
  let buffer = '';
  let inData = false;
  let tail = '';
  socket.on('data', (chunk) => {
    if (inData) return data(chunk);
    buffer += chunk.toString('latin1');
    commands();
  });
  socket.on('error', () => undefined);

  function data(chunk) {
    stats.bytes += chunk.length;
    const text = tail + chunk.toString('latin1');
    const end = text.indexOf('\r\n.\r\n');
    if (end < 0) {
      tail = text.slice(-4);
      return;
    }
    inData = false;
    tail = '';
    stats.messages++;
    socket.write('250 2.0.0 queued\r\n');
    buffer = text.slice(end + 5);
    commands();
  }

  function commands() {
    let replies = '';
    let eol;
    while (!inData && (eol = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, eol);
      buffer = buffer.slice(eol + 2);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') replies += CAPABILITIES;
      else if (verb === 'DATA') {
        replies += '354 go ahead\r\n';
        inData = true;
        tail = '\r\n';
      } else if (verb === 'QUIT') {
        socket.end('221 bye\r\n');
        return;
      } else replies += '250 OK\r\n';
    }
    if (replies) socket.write(replies);
    if (inData && buffer) {
      const rest = Buffer.from(buffer, 'latin1');
      buffer = '';
      data(rest);
    }
  }
}

const raw = createServer(rawSession);

const listen = (server) =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address().port)),
  );

const ports = {
  smtp: await new Promise((resolve) =>
    smtp.listen(0, '127.0.0.1', () => resolve(smtp.server.address().port)),
  ),
  raw: await listen(raw),
};

process.on('message', (msg) => {
  if (msg.cmd === 'stats') process.send({ stats: { ...stats } });
  if (msg.cmd === 'reset') {
    stats.messages = stats.connections = stats.bytes = 0;
    process.send({ stats: { ...stats } });
  }
  if (msg.cmd === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: ports });
