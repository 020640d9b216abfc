import { createServer, type Server, type Socket } from 'node:net';

/** What the sink does once a message's final `.` arrived. */
export type AfterData =
  | 'accept' // store it, answer 250
  | 'drop' // store it, then drop the connection without answering
  | 'stall' // store it, then never answer
  | 'accept-twice' // store it, answer 250 twice in one write (an unsolicited extra reply)
  | 'accept-then-extra' // store it, answer 250, and another 250 30 ms later
  | `${4 | 5}${number} ${string}`; // do not store it, answer this reply

/** One DATA transaction that reached its final `.`. */
export interface FaultTransaction {
  mailFrom: string;
  /** Recipients the sink accepted (answered 250). */
  rcptTo: string[];
  /** The DATA bytes exactly as on the wire (dot-stuffed), without the final `.\r\n`. */
  wire: Buffer;
  /** The DATA bytes dot-unstuffed: the message itself. */
  data: Buffer;
  /** Whether the sink kept it (accepted, or dropped/stalled after storing). */
  stored: boolean;
}

/** Script of a misbehaving SMTP server; every hook is optional. */
export interface FaultSinkScript {
  /** First line; a 4xx/5xx greeting is followed by closing the connection. */
  greeting?: string;
  /** EHLO keywords. @default ['PIPELINING', '8BITMIME', 'SMTPUTF8'] */
  extensions?: string[];
  /** Reply to STARTTLS (default `'502 5.5.1 STARTTLS not available'`), or `'garbage'`: `220` then bytes that are not TLS. */
  starttls?: string | 'garbage';
  /** Reply to AUTH (AUTH PLAIN is advertised when set). */
  auth?: string;
  /** Reply to MAIL FROM (default 250); a `421` closes the connection after it. */
  onMailFrom?: (address: string) => string | undefined;
  /** Reply to RCPT TO (default 250). */
  onRcptTo?: (address: string) => string | undefined;
  /**
   * Called on DATA with the accepted recipients: `'drop-before-dot'` answers
   * 354, stops reading and drops the connection 200 ms later; `'hold'`
   * answers 354 and stops reading (the client blocks once buffers fill);
   * `'reply-early'` answers `250` as soon as the first data bytes arrive,
   * long before the `.` (and replies again after it, as `afterData` says).
   */
  onData?: (tx: {
    mailFrom: string;
    rcptTo: string[];
  }) => 'drop-before-dot' | 'hold' | 'reply-early' | undefined;
  /** Reply to DATA when no recipient was accepted. @default '554 5.5.1 No valid recipients' */
  dataWithoutRecipients?: string;
  /** What to do after the final `.` (default `'accept'`). */
  afterData?: (tx: FaultTransaction) => AfterData;
}

/** A running raw SMTP server (plain `net`, no smtp-server) that follows a {@link FaultSinkScript}. */
export interface FaultSink {
  host: '127.0.0.1';
  port: number;
  /** Every transaction that reached its final `.`, in order. */
  transactions: FaultTransaction[];
  /** The stored transactions. */
  readonly stored: FaultTransaction[];
  /** Every command line received in plain text (DATA contents excluded), in order. */
  commands: string[];
  /** Every byte received from clients, all connections concatenated. */
  readonly received: Buffer;
  readonly connectionCount: number;
  /** How many `MAIL FROM` commands arrived. */
  readonly mailFromCount: number;
  /** Replaces the script (for the connections made from now on). */
  script: FaultSinkScript;
  close(): Promise<void>;
}

const CRLF = '\r\n';
const END_OF_DATA = Buffer.from('\r\n.\r\n');

function unstuff(wire: Buffer): Buffer {
  return Buffer.from(
    wire.toString('latin1').replace(/(^|\r\n)\./g, '$1'),
    'latin1',
  );
}

const address = (arg: string) => /<([^>]*)>/.exec(arg)?.[1] ?? '';

/**
 * Starts a scriptable SMTP server on 127.0.0.1 that can do what `smtp-server`
 * cannot easily: drop or stall after the final `.`, 421 and hang up, fail a
 * STARTTLS handshake. DATA ends strictly on CRLF.CRLF, so a smuggled
 * end-of-data would show up as an extra transaction; everything received is
 * kept in `received` to look for bare CR or LF.
 *
 * @example
 * const sink = await startFaultSink({ afterData: () => 'drop' });
 */
export async function startFaultSink(
  script: FaultSinkScript = {},
): Promise<FaultSink> {
  const sockets = new Set<Socket>();
  const transactions: FaultTransaction[] = [];
  const commands: string[] = [];
  const chunks: Buffer[] = [];
  let connectionCount = 0;
  let mailFromCount = 0;

  const sink: FaultSink = {
    host: '127.0.0.1',
    port: 0,
    transactions,
    commands,
    script,
    get stored() {
      return transactions.filter((tx) => tx.stored);
    },
    get received() {
      return Buffer.concat(chunks);
    },
    get connectionCount() {
      return connectionCount;
    },
    get mailFromCount() {
      return mailFromCount;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server: Server = createServer((socket) => {
    connectionCount++;
    sockets.add(socket);
    // Replies go out in several small writes; Nagle would hold each ~40 ms.
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket, sink.script);
  });

  function serve(socket: Socket, s: FaultSinkScript): void {
    let buffer = Buffer.alloc(0);
    let inData = false;
    let replyEarly = false;
    let gone = false;
    let mailFrom = '';
    let rcptTo: string[] = [];
    const reply = (line: string) => {
      if (!gone) socket.write(line + CRLF);
    };
    const hangUp = (line?: string) => {
      if (line) reply(line);
      gone = true;
      socket.end();
    };
    const greeting = s.greeting ?? '220 fault-sink ESMTP';
    if (/^[45]/.test(greeting)) return hangUp(greeting);
    reply(greeting);

    const command = (line: string) => {
      commands.push(line);
      const [verb, ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO': {
          const keywords = [
            ...(s.extensions ?? ['PIPELINING', '8BITMIME', 'SMTPUTF8']),
            ...(s.auth ? ['AUTH PLAIN'] : []),
          ];
          const lines = ['fault-sink', ...keywords];
          lines.forEach((text, i) =>
            reply(`250${i < lines.length - 1 ? '-' : ' '}${text}`),
          );
          return;
        }
        case 'HELO':
          return reply('250 fault-sink');
        case 'STARTTLS':
          if (s.starttls === 'garbage') {
            reply('220 2.0.0 Ready to start TLS');
            gone = true;
            socket.end('this is not a TLS handshake\r\n');
            return;
          }
          return reply(s.starttls ?? '502 5.5.1 STARTTLS not available');
        case 'AUTH':
          return reply(s.auth ?? '503 5.5.1 AUTH not available');
        case 'MAIL': {
          mailFromCount++;
          mailFrom = address(arg);
          rcptTo = [];
          const answer = s.onMailFrom?.(mailFrom) ?? '250 2.1.0 Ok';
          return answer.startsWith('421') ? hangUp(answer) : reply(answer);
        }
        case 'RCPT': {
          const to = address(arg);
          const answer = s.onRcptTo?.(to) ?? '250 2.1.5 Ok';
          if (answer.startsWith('2')) rcptTo.push(to);
          return reply(answer);
        }
        case 'DATA': {
          if (!rcptTo.length) {
            const answer =
              s.dataWithoutRecipients ?? '554 5.5.1 No valid recipients';
            if (answer.startsWith('354')) inData = true;
            return reply(answer);
          }
          const onData = s.onData?.({ mailFrom, rcptTo });
          replyEarly = onData === 'reply-early';
          if (onData === 'hold' || onData === 'drop-before-dot') {
            reply('354 End data with <CR><LF>.<CR><LF>');
            socket.pause();
            gone = true;
            if (onData === 'drop-before-dot') {
              setTimeout(() => socket.destroy(), 200);
            }
            return;
          }
          inData = true;
          return reply('354 End data with <CR><LF>.<CR><LF>');
        }
        case 'RSET':
          mailFrom = '';
          rcptTo = [];
          return reply('250 2.0.0 Ok');
        case 'NOOP':
          return reply('250 2.0.0 Ok');
        case 'QUIT':
          return hangUp('221 2.0.0 Bye');
        default:
          return reply('500 5.5.2 Command not recognized');
      }
    };

    const endOfData = (wire: Buffer) => {
      inData = false;
      const tx: FaultTransaction = {
        mailFrom,
        rcptTo,
        wire,
        data: unstuff(wire),
        stored: false,
      };
      transactions.push(tx);
      const action = s.afterData?.(tx) ?? 'accept';
      tx.stored = !/^[45]/.test(action);
      mailFrom = '';
      rcptTo = [];
      if (action === 'accept') return reply('250 2.0.0 Ok: queued');
      if (action === 'accept-twice') {
        return reply('250 2.0.0 Ok: queued\r\n250 2.0.0 Ok: and again');
      }
      if (action === 'accept-then-extra') {
        reply('250 2.0.0 Ok: queued');
        setTimeout(() => reply('250 2.0.0 Ok: out of turn'), 30);
        return;
      }
      if (action === 'drop') {
        gone = true;
        return socket.destroy();
      }
      if (action === 'stall') {
        gone = true;
        return;
      }
      reply(action);
    };

    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (gone) return;
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (gone) return;
        if (inData) {
          if (replyEarly && buffer.length) {
            replyEarly = false;
            reply('250 2.0.0 Ok: before the end of data');
          }
          // The data starts right after a CRLF (the one ending DATA), so an
          // empty message is just ".\r\n".
          const search = Buffer.concat([Buffer.from(CRLF), buffer]);
          const at = search.indexOf(END_OF_DATA);
          if (at < 0) return;
          // search[at] is buffer[at - 2]: the CRLF ending the last line stays in the message.
          const wire = Buffer.from(buffer.subarray(0, at));
          buffer = buffer.subarray(at + END_OF_DATA.length - CRLF.length);
          endOfData(wire);
          continue;
        }
        const eol = buffer.indexOf(CRLF);
        if (eol < 0) return;
        const line = buffer.subarray(0, eol).toString('latin1');
        buffer = buffer.subarray(eol + 2);
        command(line);
      }
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.address() as { port: number }).port;
  return sink;
}
