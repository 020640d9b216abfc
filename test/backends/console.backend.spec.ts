import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { PassThrough, Writable } from 'node:stream';
import { ConsoleEmailBackend } from '../../lib/backends/console.backend.js';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import { MessageEncodingError } from '../../lib/errors/message-encoding.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';

const SEPARATOR = `\n${'-'.repeat(79)}\n`;

/** A stream that collects everything written to it. */
function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** A message whose rendering is deterministic (fixed Date and Message-ID). */
function fixed(subject = 'Subject', options = {}): EmailMessage {
  return new EmailMessage(
    subject,
    'Content',
    'from@example.com',
    ['to@example.com'],
    {
      headers: {
        Date: 'Fri, 09 Nov 2001 01:08:47 -0000',
        'Message-ID': '<fixed@example.com>',
      },
      ...options,
    },
  );
}

function* generate(...messages: EmailMessage[]) {
  yield* messages;
}

describe('ConsoleEmailBackend', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('writes the rendered message, a newline, 79 dashes and a newline', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({ stream: out.stream });
    const msg = fixed();
    expect(await backend.sendMessages([msg])).toBe(1);
    const bytes = await msg.message().asBytes({ linesep: '\n' });
    expect(out.text()).toBe(bytes.toString('utf8') + SEPARATOR);
    expect(out.text()).not.toContain('\r');
  });

  it('writes every message with its own separator, and the output parses back', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({ stream: out.stream });
    const count = await backend.sendMessages([
      new EmailMessage('First', 'Héllo', 'a@example.com', ['b@example.com']),
      new EmailMessage('Second', 'Body 2', 'a@example.com', ['c@example.com']),
    ]);
    expect(count).toBe(2);
    const parts = out.text().split(SEPARATOR);
    expect(parts).toHaveLength(3);
    expect(parts[2]).toBe('');
    const first = await simpleParser(parts[0]);
    const second = await simpleParser(parts[1]);
    expect(first.subject).toBe('First');
    expect(first.text).toBe('Héllo\n');
    expect(second.subject).toBe('Second');
    expect(second.to).toMatchObject({ text: 'c@example.com' });
  });

  it('never shows Bcc, even when the message has bcc recipients', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({ stream: out.stream });
    await backend.sendMessages([
      fixed('Secret', {
        bcc: ['hidden@example.com', 'Blind <blind@example.org>'],
      }),
    ]);
    const text = out.text();
    expect(text).not.toMatch(/^bcc:/im);
    expect(text).not.toContain('hidden@example.com');
    expect(text).not.toContain('blind@example.org');
    const parsed = await simpleParser(text.split(SEPARATOR)[0]);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.to).toMatchObject({ text: 'to@example.com' });
  });

  it('returns 0 for no messages and writes nothing (Django returns None)', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({ stream: out.stream });
    expect(await backend.sendMessages([])).toBe(0);
    expect(out.text()).toBe('');
  });

  it('accepts a generator and iterates it once', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({ stream: out.stream });
    const messages = generate(fixed('one'), fixed('two'));
    expect(await backend.sendMessages(messages)).toBe(2);
    expect(await backend.sendMessages(messages)).toBe(0);
    expect(out.text().split(SEPARATOR)).toHaveLength(3);
  });

  it('writes to process.stdout by default', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(((
      _chunk: unknown,
      cb?: () => void,
    ) => {
      cb?.();
      return true;
    }) as typeof process.stdout.write);
    const backend = new ConsoleEmailBackend();
    expect(await backend.sendMessages([fixed()])).toBe(1);
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0][0])).toContain('Subject: Subject');
  });

  it('validates every message before writing any, and never silences a bad header', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({
      stream: out.stream,
      failSilently: true,
    });
    await expect(
      backend.sendMessages([fixed('good'), fixed('bad\nBcc: x@example.com')]),
    ).rejects.toThrow(BadHeaderError);
    await expect(
      backend.sendMessages([
        fixed('good'),
        new EmailMessage('s', 'b', 'from@example.com', ['a@b, c@d']),
      ]),
    ).rejects.toThrow(InvalidAddressError);
    expect(out.text()).toBe('');
  });

  it('with failSilently, a message that cannot be encoded stops the call; earlier ones are written', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend({
      stream: out.stream,
      failSilently: true,
    });
    const unencodable = fixed('ascii');
    unencodable.body = 'ü';
    unencodable.encoding = 'us-ascii';
    expect(
      await backend.sendMessages([fixed('ok'), unencodable, fixed('never')]),
    ).toBe(1);
    expect(out.text().split(SEPARATOR)).toHaveLength(2);
    await expect(
      new ConsoleEmailBackend({ stream: out.stream }).sendMessages([
        unencodable,
      ]),
    ).rejects.toThrow(MessageEncodingError);
  });

  it('with failSilently, a write failure returns the count written so far', async () => {
    const written: string[] = [];
    let calls = 0;
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (++calls === 2) return cb(new Error('disk full'));
        written.push(chunk.toString());
        cb();
      },
    });
    stream.on('error', () => undefined);
    const backend = new ConsoleEmailBackend({ stream, failSilently: true });
    expect(
      await backend.sendMessages([fixed('1'), fixed('2'), fixed('3')]),
    ).toBe(1);
    expect(written).toHaveLength(1);
  });

  it('without failSilently, a write failure rejects', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(new Error('disk full'));
      },
    });
    stream.on('error', () => undefined);
    const backend = new ConsoleEmailBackend({ stream });
    await expect(backend.sendMessages([fixed()])).rejects.toThrow('disk full');
  });

  it('does not interleave concurrent calls', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        setTimeout(cb, 5);
      },
    });
    const backend = new ConsoleEmailBackend({ stream });
    const [a, b] = await Promise.all([
      backend.sendMessages([fixed('A1'), fixed('A2')]),
      backend.sendMessages([fixed('B1')]),
    ]);
    expect([a, b]).toEqual([2, 1]);
    const subjects = chunks.map((c) => /^Subject: (.*)$/m.exec(c)?.[1]);
    expect(subjects).toEqual(['A1', 'A2', 'B1']);
  });

  it('renders with the backend message settings (default sender)', async () => {
    const out = capture();
    const backend = new ConsoleEmailBackend(
      { stream: out.stream },
      {
        alias: null,
        messageSettings: { defaultFromEmail: 'noreply@example.com' },
      },
    );
    await backend.sendMessages([
      new EmailMessage('s', 'b', null, ['to@example.com']),
    ]);
    expect(out.text()).toMatch(/^From: noreply@example\.com$/m);
  });
});
