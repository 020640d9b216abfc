import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { EmailMessage } from '../../lib/message/email-message.js';
import { header, leaves, render } from './helpers.js';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const NOT_UTF8 = Buffer.from([0x66, 0x6f, 0xff, 0xfe, 0x80]);

const msg = () =>
  new EmailMessage('Subject', 'Body', 'from@example.com', ['to@example.com']);

describe('attach()', () => {
  it('takes (filename, content, mimetype)', async () => {
    const m = msg();
    m.attach('report.csv', 'a,b\n1,2\n', 'text/csv');
    expect(m.attachments).toEqual([
      { filename: 'report.csv', content: 'a,b\n1,2\n', mimetype: 'text/csv' },
    ]);
    const { parsed } = await render(m);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('report.csv');
    expect(parsed.attachments[0].contentType).toBe('text/csv');
    expect(parsed.attachments[0].content.toString()).toBe('a,b\n1,2\n');
  });

  it('takes an attachment object', async () => {
    const m = msg();
    m.attach({
      filename: 'x.bin',
      content: Buffer.from([1, 2, 3]),
      mimetype: 'application/x-thing',
    });
    const { parsed } = await render(m);
    expect(parsed.attachments[0].contentType).toBe('application/x-thing');
    expect([...parsed.attachments[0].content]).toEqual([1, 2, 3]);
  });

  it('refuses an object together with content or mimetype (TypeError)', () => {
    const m = msg();
    const att = { filename: 'a.txt', content: 'x', mimetype: 'text/plain' };
    expect(() => m.attach(att as never, 'y' as never)).toThrow(TypeError);
    expect(() =>
      (m.attach as (...a: unknown[]) => void)(att, undefined, 'text/html'),
    ).toThrow(TypeError);
    expect(m.attachments).toEqual([]);
  });

  it("refuses missing content with 'content must be provided.'", () => {
    const m = msg();
    expect(() => (m.attach as (...a: unknown[]) => void)('a.txt')).toThrow(
      new TypeError('content must be provided.'),
    );
    expect(() => m.attach('a.txt', null as never, 'text/plain')).toThrow(
      'content must be provided.',
    );
    expect(() =>
      m.attach({ filename: 'a.txt', mimetype: 'text/plain' } as never),
    ).toThrow('content must be provided.');
  });

  it.each([
    ['image.png', 'image/png'],
    ['doc.pdf', 'application/pdf'],
    ['NOTES.TXT', 'text/plain'],
    ['no-extension', 'application/octet-stream'],
    ['weird.zzzunknown', 'application/octet-stream'],
  ])('guesses the mimetype of %s as %s', async (filename, type) => {
    const m = msg();
    m.attach(filename, Buffer.from('data'));
    expect(m.attachments[0].mimetype).toBe(type);
    const { parsed } = await render(m);
    expect(parsed.attachments[0].contentType).toBe(type);
  });

  it('uses application/octet-stream without a filename', () => {
    const m = msg();
    m.attach(null, Buffer.from('data'));
    expect(m.attachments[0]).toEqual({
      filename: null,
      content: Buffer.from('data'),
      mimetype: 'application/octet-stream',
    });
  });

  it('decodes text given as UTF-8 bytes', async () => {
    const m = msg();
    m.attach('file.txt', Buffer.from('Iñtërnâtiônàlizætiøn', 'utf8'));
    expect(m.attachments[0]).toEqual({
      filename: 'file.txt',
      content: 'Iñtërnâtiônàlizætiøn',
      mimetype: 'text/plain',
    });
    const { parsed } = await render(m);
    expect(parsed.attachments[0].content.toString('utf8')).toBe(
      'Iñtërnâtiônàlizætiøn\n',
    );
  });

  it('sends text given as invalid UTF-8 as application/octet-stream, bytes intact', async () => {
    const m = msg();
    m.attach('file.txt', NOT_UTF8, 'text/plain');
    expect(m.attachments[0].mimetype).toBe('application/octet-stream');
    const { parsed, tree } = await render(m);
    // (mailparser itself re-guesses octet-stream from the .txt name, so read the raw header)
    // No name= parameter, as in Django: the filename is in Content-Disposition.
    expect(header(tree.children[1], 'content-type')).toBe(
      'application/octet-stream',
    );
    expect(header(tree.children[1], 'content-transfer-encoding')).toBe(
      'base64',
    );
    expect(parsed.attachments[0].content.equals(NOT_UTF8)).toBe(true);
  });

  it('applies the same rule to attachments assigned directly', async () => {
    const m = msg();
    m.attachments = [
      { filename: 'bad.txt', content: NOT_UTF8, mimetype: 'text/plain' },
      {
        filename: 'good.txt',
        content: Buffer.from('ok ü'),
        mimetype: 'text/plain',
      },
    ];
    const { parsed, tree } = await render(m);
    expect(
      tree.children.slice(1).map((p) => header(p, 'content-type')),
    ).toEqual(['application/octet-stream', 'text/plain; charset=utf-8']);
    expect(
      tree.children.slice(1).map((p) => header(p, 'content-disposition')),
    ).toEqual([
      'attachment; filename=bad.txt',
      'attachment; filename=good.txt',
    ]);
    expect(parsed.attachments[0].content.equals(NOT_UTF8)).toBe(true);
    expect(parsed.attachments[1].content.toString('utf8')).toBe('ok ü\n');
  });

  it('round-trips binary content with all 256 byte values, base64 encoded', async () => {
    const m = msg();
    m.attach('all.bin', ALL_BYTES, 'application/octet-stream');
    const { parsed, tree } = await render(m);
    expect(parsed.attachments[0].content.equals(ALL_BYTES)).toBe(true);
    expect(header(tree.children[1], 'content-transfer-encoding')).toBe(
      'base64',
    );
    expect(header(tree.children[1], 'content-disposition')).toMatch(
      /^attachment; filename="?all\.bin"?$/,
    );
  });

  it('round-trips a large PNG-typed buffer', async () => {
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    const m = msg();
    m.attach('image.png', big);
    const { parsed } = await render(m);
    expect(parsed.attachments[0].contentType).toBe('image/png');
    expect(parsed.attachments[0].content.equals(big)).toBe(true);
  });

  it.each([
    'une pièce jointe.pdf',
    'тест.txt',
    '日本語のファイル名.png',
    'a "quoted" name;x.bin',
  ])(
    'round-trips the filename %j (RFC 2231 for non-ASCII)',
    async (filename) => {
      const m = msg();
      m.attach(filename, Buffer.from('x'), 'application/octet-stream');
      const { parsed, raw } = await render(m);
      expect(parsed.attachments[0].filename).toBe(filename);
      expect(raw.slice(0, raw.indexOf('\n\n'))).toMatch(/^[\x00-\x7f]*$/);
      if (/[^\x00-\x7f]/.test(filename)) {
        expect(raw).toMatch(/filename\*(0\*)?=utf-8''/i);
      }
      const lines = raw.split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(78);
    },
  );

  it('encodes text attachments like the body: 7bit, 8bit or QP/base64', async () => {
    const m = msg();
    m.attach('ascii.txt', 'plain text', 'text/plain');
    m.attach('utf8.txt', 'Gżegżółka', 'text/plain');
    m.attach('long.txt', 'В южных морях '.repeat(60), 'text/plain');
    const { tree, parsed } = await render(m);
    const parts = tree.children.slice(1);
    expect(parts.map((p) => header(p, 'content-transfer-encoding'))).toEqual([
      '7bit',
      '8bit',
      'base64',
    ]);
    for (const p of parts)
      expect(header(p, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(parsed.attachments.map((a) => a.content.toString('utf8'))).toEqual([
      'plain text\n',
      'Gżegżółka\n',
      'В южных морях '.repeat(60) + '\n',
    ]);
  });
});

describe('message/rfc822 attachments', () => {
  it('attach an EmailMessage: 8bit, never base64/QP, and the nested message parses', async () => {
    const inner = new EmailMessage(
      'Inner Sürname',
      'Nested body ü\n',
      'inner@example.com',
      ['x@example.com'],
    );
    inner.attach('deep.bin', ALL_BYTES);
    const m = msg();
    m.attach(null, inner);
    expect(m.attachments[0].mimetype).toBe('message/rfc822');
    const { tree, parsed } = await render(m);
    const part = tree.children[1];
    expect(part.type).toBe('message/rfc822');
    expect(['7bit', '8bit']).toContain(
      header(part, 'content-transfer-encoding'),
    );
    expect(header(part, 'content-disposition') ?? 'attachment').toBe(
      'attachment',
    );
    const nestedRaw = parsed.attachments[0].content;
    const nested = await simpleParser(nestedRaw);
    expect(nested.subject).toBe('Inner Sürname');
    expect(nested.text).toBe('Nested body ü\n');
    expect(nested.attachments[0].content.equals(ALL_BYTES)).toBe(true);
  });

  it.each([
    ['a string', 'Subject: raw\nFrom: a@example.com\n\nRaw body\n'],
    [
      'bytes',
      Buffer.from('Subject: raw\nFrom: a@example.com\n\nRaw body ü\n', 'utf8'),
    ],
  ])(
    'attach raw %s: 7bit/8bit, and the nested message parses',
    async (_label, content) => {
      const m = msg();
      m.attach('forwarded.eml', content, 'message/rfc822');
      const { tree, parsed } = await render(m);
      const part = tree.children[1];
      const cte = header(part, 'content-transfer-encoding');
      expect(cte).toBe(typeof content === 'string' ? '7bit' : '8bit');
      expect(header(part, 'content-disposition')).toMatch(
        /^attachment; filename=/,
      );
      const nested = await simpleParser(parsed.attachments[0].content);
      expect(nested.subject).toBe('raw');
      expect(nested.text).toMatch(/^Raw body/);
    },
  );

  it('renders a nested message with the outer line separator', async () => {
    const m = msg();
    m.attach(
      null,
      new EmailMessage('Inner', 'line one\nline two', 'a@example.com', [
        'b@example.com',
      ]),
    );
    const mime = m.message();
    const lf = await mime.asBytes();
    expect(lf.includes(0x0d)).toBe(false);
    const crlf = (await mime.asBytes({ linesep: '\r\n' })).toString('latin1');
    expect(crlf.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('refuses an EmailMessage under another mimetype', () => {
    const m = msg();
    m.attach(
      'x.bin',
      new EmailMessage('i', 'b', 'a@example.com', []),
      'application/octet-stream',
    );
    expect(() => m.message()).toThrow(TypeError);
  });

  it('refuses a message attached to itself', () => {
    const m = msg();
    m.attach(null, m);
    expect(() => m.message()).toThrow(TypeError);
  });
});

describe('attachFile()', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nestjs-mail-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a real file, names it by its basename and guesses its type', async () => {
    const path = join(dir, 'data.pdf');
    writeFileSync(path, ALL_BYTES);
    const m = msg();
    m.attachFile(path);
    expect(m.attachments[0].filename).toBe('data.pdf');
    expect(m.attachments[0].mimetype).toBe('application/pdf');
    const { parsed } = await render(m);
    expect(parsed.attachments[0].filename).toBe('data.pdf');
    expect(parsed.attachments[0].content.equals(ALL_BYTES)).toBe(true);
  });

  it('uses the given mimetype and decodes UTF-8 text files', async () => {
    const path = join(dir, 'notes.dat');
    writeFileSync(path, 'Hällo\n', 'utf8');
    const m = msg();
    m.attachFile(path, 'text/plain');
    expect(m.attachments[0]).toEqual({
      filename: 'notes.dat',
      content: 'Hällo\n',
      mimetype: 'text/plain',
    });
  });

  it('sends a non-UTF-8 text file as application/octet-stream', () => {
    const path = join(dir, 'latin1.txt');
    writeFileSync(path, NOT_UTF8);
    const m = msg();
    m.attachFile(path);
    expect(m.attachments[0].mimetype).toBe('application/octet-stream');
    expect(m.attachments[0].content).toEqual(NOT_UTF8);
  });

  it('fails at once on a missing file', () => {
    const m = msg();
    expect(() => m.attachFile(join(dir, 'missing.txt'))).toThrow(/ENOENT/);
    expect(m.attachments).toEqual([]);
  });

  it('reads the file when attached, not when sent', async () => {
    const path = join(dir, 'snapshot.txt');
    writeFileSync(path, 'before');
    const m = msg();
    m.attachFile(path);
    writeFileSync(path, 'after');
    const { parsed } = await render(m);
    expect(parsed.attachments[0].content.toString()).toBe('before\n');
  });
});

describe('mimetype validation', () => {
  it.each([
    'text',
    'text/',
    '/plain',
    // (Parameters are accepted since MimePart support: see mime-parts.spec.ts.)
    'text/plain; charset',
    'text/plain; a=b c',
    'te xt/plain',
  ])('refuses the attachment mimetype %j', (mimetype) => {
    const m = msg();
    m.attach('a.bin', Buffer.from('x'), mimetype);
    expect(() => m.message()).toThrow(/mimetype/);
  });

  it('never leaves a text leaf without a charset', async () => {
    const m = msg();
    m.attach('a.html', '<b>x</b>');
    const { tree } = await render(m);
    for (const leaf of leaves(tree)) {
      if (leaf.type.startsWith('text/'))
        expect(header(leaf, 'content-type')).toMatch(/charset=/);
    }
  });
});
