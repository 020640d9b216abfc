import { describe, expect, it } from '@jest/globals';
import {
  MAX_MIME_DEPTH,
  MimeNestingError,
} from '../../lib/errors/mime-nesting.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import type { LeafPart } from '../../lib/message/mime-builder.js';
import { headerLines, render, splitHeaders } from './helpers.js';

const make = (subject: string, body = 'body') =>
  new EmailMessage(subject, body, 'from@example.com', ['to@example.com']);

/** A message that counts how often its structure is built. */
class Counted extends EmailMultiAlternatives {
  builds = 0;
  protected override alternativeParts(charset: string): LeafPart[] {
    this.builds++;
    return super.alternativeParts(charset);
  }
}

describe('many extra headers', () => {
  it('renders 40,000 extra headers, each once, in order, and parses them back', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40_000; i++) headers[`X-Extra-${i}`] = `value ${i}`;
    const msg = make('many');
    msg.extraHeaders = headers;
    // (mailparser caps a header block's size, so the block is read by hand.)
    const mime = msg.message();
    const raw = (await mime.asBytes()).toString('latin1');
    const extra = headerLines(raw).filter((l) => l.startsWith('X-Extra-'));
    expect(extra).toHaveLength(40_000);
    expect(extra[0]).toBe('X-Extra-0: value 0');
    expect(extra[39_999]).toBe('X-Extra-39999: value 39999');
    expect(mime.get('x-extra-12345')).toBe('value 12345');
    expect(splitHeaders(raw).body).toBe('body\n');
  });

  it('sends one header for two spellings of a name, the later value in the first place', async () => {
    const msg = make('dup');
    msg.extraHeaders = { 'X-Tag': 'first', 'X-Other': 'o', 'x-tag': 'second' };
    const { raw } = await render(msg);
    const lines = headerLines(raw).filter((l) => /^x-(tag|other):/i.test(l));
    expect(lines).toEqual(['X-Tag: second', 'X-Other: o']);
  });
});

describe('attached messages', () => {
  it('builds a message attached many times once, and every copy arrives', async () => {
    const inner = new Counted('inner', 'the innermost body', 'a@example.com', [
      'b@example.com',
    ]);
    let current: EmailMessage = inner;
    for (let level = 0; level < 12; level++) {
      const outer = make(`level ${level}`);
      outer.attach(null, current);
      outer.attach(null, current);
      current = outer;
    }
    const mime = current.message();
    expect(inner.builds).toBe(1);
    const bytes = await mime.asBytes();
    const text = bytes.toString('latin1');
    expect(text.split('the innermost body').length - 1).toBe(2 ** 12);
    // A second render reuses the encoded bodies and gives the same bytes.
    expect((await mime.asBytes()).equals(bytes)).toBe(true);
  });

  it('refuses a chain of messages deeper than MAX_MIME_DEPTH with MimeNestingError', () => {
    const chain = (levels: number) => {
      let current = make('leaf');
      for (let i = 1; i < levels; i++) {
        const outer = make(`level ${i}`);
        outer.attach(null, current);
        current = outer;
      }
      return current;
    };
    expect(() => chain(MAX_MIME_DEPTH).message()).not.toThrow();
    expect(() => chain(MAX_MIME_DEPTH + 1).message()).toThrow(MimeNestingError);
    expect(() => chain(800).message()).toThrow(/nested more than 64 levels/);
    // The failed render left nothing behind: a shallow message still renders.
    expect(() => chain(3).message()).not.toThrow();
  });
});

describe('large in-memory content', () => {
  it('is base64-encoded while sent, in 76-character lines, and reads back exactly', async () => {
    const big = Buffer.alloc(700 * 1024 + 5);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 256;
    const msg = make('big');
    msg.attach('big.bin', big, 'application/octet-stream');
    const mime = msg.message();
    for (const linesep of ['\n', '\r\n'] as const) {
      const raw = (await mime.asBytes({ linesep })).toString('latin1');
      const head = raw.indexOf('filename=big.bin');
      const body = raw.slice(
        raw.indexOf(`${linesep}${linesep}`, head) + 2 * linesep.length,
      );
      const lines = body.slice(0, body.indexOf(`${linesep}--`)).split(linesep);
      expect(lines.slice(0, -1).every((line) => line.length === 76)).toBe(true);
      expect(Buffer.from(lines.join(''), 'base64').equals(big)).toBe(true);
    }
    const streamed: Buffer[] = [];
    for await (const chunk of mime.createSmtpStream()) streamed.push(chunk);
    expect(
      Buffer.concat(streamed).equals(await mime.asBytes({ linesep: '\r\n' })),
    ).toBe(true);
    const { parsed } = await render(msg);
    expect(parsed.attachments[0].content.equals(big)).toBe(true);
  });
});
