import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmtpEmailBackend } from '../../lib/backends/smtp.backend.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { render } from './helpers.js';

const msg = () =>
  new EmailMessage('Subject', 'Body', 'from@example.com', ['to@example.com']);

describe('attachFile()', () => {
  let dir: string;
  let n = 0;
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, `${n++}-${name}`);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attach-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails at once on a missing file, whatever its type', () => {
    const m = msg();
    for (const name of ['missing.pdf', 'missing.bin', 'missing.txt']) {
      expect(() => m.attachFile(join(dir, name))).toThrow(
        expect.objectContaining({ code: 'ENOENT' }),
      );
    }
    expect(() => m.attachFile(dir)).toThrow(
      expect.objectContaining({ code: 'EISDIR' }),
    );
    expect(m.attachments).toEqual([]);
  });

  it('does not read a binary file when attaching: the bytes sent are those at send time', async () => {
    const path = file('report.pdf', 'old contents');
    const m = msg();
    m.attachFile(path);
    const fresh = randomBytes(10_000);
    writeFileSync(path, fresh);
    const { parsed } = await render(m);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toMatch(/report\.pdf$/);
    expect(parsed.attachments[0].contentType).toBe('application/pdf');
    expect(parsed.attachments[0].content.equals(fresh)).toBe(true);
    // Every render reads the file again.
    const newer = randomBytes(3);
    writeFileSync(path, newer);
    expect((await render(m)).parsed.attachments[0].content.equals(newer)).toBe(
      true,
    );
  });

  it('still reads text files at once, with the UTF-8 rules of attach()', async () => {
    const text = file('notes.txt', 'héllo\n');
    const latin1 = file('legacy.txt', Buffer.from([0x68, 0xe9, 0x0a]));
    const m = msg();
    m.attachFile(text);
    m.attachFile(latin1);
    writeFileSync(text, 'changed\n');
    expect(m.attachments[0]).toEqual({
      filename: expect.stringMatching(/notes\.txt$/),
      content: 'héllo\n',
      mimetype: 'text/plain',
    });
    expect(m.attachments[1].mimetype).toBe('application/octet-stream');
    const { parsed } = await render(m);
    expect(parsed.attachments[0].content.toString('utf8')).toBe('héllo\n');
  });

  it('gives code that reads attachments[i].content a real Buffer', async () => {
    const path = file('data.bin', Buffer.from([1, 2, 3]));
    const m = msg();
    m.attachFile(path, 'application/x-thing');
    expect(m.attachments[0]).toEqual({
      filename: expect.stringMatching(/data\.bin$/),
      content: Buffer.from([1, 2, 3]),
      mimetype: 'application/x-thing',
    });
    const content = m.attachments[0].content as Buffer;
    expect(Buffer.isBuffer(content)).toBe(true);
    // Once read, the attachment holds those bytes, like attach() would.
    expect(m.attachments[0].content).toBe(content);
    content[0] = 9;
    writeFileSync(path, 'ignored now');
    const { parsed } = await render(m);
    expect([...parsed.attachments[0].content]).toEqual([9, 2, 3]);
  });

  it('lets content be replaced', async () => {
    const m = msg();
    m.attachFile(file('a.bin', 'from disk'));
    m.attachments[0].content = Buffer.from('replaced');
    const { parsed } = await render(m);
    expect(parsed.attachments[0].content.toString()).toBe('replaced');
  });

  it('reads the file when the mimetype is changed to text after attaching', async () => {
    const m = msg();
    m.attachFile(file('a.bin', 'plain words\n'));
    m.attachments[0].mimetype = 'text/plain';
    const { parsed } = await render(m);
    expect(parsed.attachments[0].contentType).toBe('text/plain');
    expect(parsed.attachments[0].content.toString()).toBe('plain words\n');
  });

  it('keeps clone() working: the copy streams the same file', async () => {
    const path = file('c.zip', 'v1');
    const m = msg();
    m.attachFile(path);
    const copy = m.clone();
    writeFileSync(path, 'v2');
    expect((await render(copy)).parsed.attachments[0].content.toString()).toBe(
      'v2',
    );
    copy.attachments[0].content = Buffer.from('copy only');
    expect((await render(m)).parsed.attachments[0].content.toString()).toBe(
      'v2',
    );
  });

  it('fails at send time, not silently, when the file is gone by then', async () => {
    const path = file('gone.pdf', 'x');
    const m = msg();
    m.attachFile(path);
    unlinkSync(path);
    await expect(m.message().asBytes()).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('opens no file while only validating (message() builds headers)', async () => {
    if (!existsSync('/proc/self/fd')) return;
    const m = msg();
    m.attachFile(file('fd.bin', 'x'));
    const before = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 50; i++) m.message();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync('/proc/self/fd').length).toBeLessThan(before + 5);
  });

  it('streams a file of an attached message at every render, in either line separator', async () => {
    const bytes = randomBytes(100_000);
    const path = file('inner.bin', bytes);
    const inner = msg();
    inner.attachFile(path);
    const outer = msg();
    outer.attach(null, inner);
    outer.attach(null, inner);
    const mime = outer.message();
    const first = await mime.asBytes({ linesep: '\r\n' });
    writeFileSync(path, Buffer.alloc(10, 1)); // the bytes sent are those at send time
    const second = await mime.asBytes({ linesep: '\n' });
    const { parsed } = await render(outer);
    expect(first.toString('latin1')).not.toMatch(/[^\r]\n/);
    expect(second.toString('latin1')).not.toMatch(/\r/);
    const base64 = (b: Buffer) => b.toString('base64').slice(0, 76);
    expect(first.toString('latin1').split(base64(bytes)).length - 1).toBe(2);
    expect(
      second.toString('latin1').split(base64(Buffer.alloc(10, 1))).length - 1,
    ).toBe(2);
    expect(parsed.attachments).toHaveLength(2);
  });

  it('streams a large file over SMTP, byte for byte', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 7);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    const path = join(sub, 'big.bin');
    writeFileSync(path, big);
    const sink = await startSmtpSink();
    const backend = new SmtpEmailBackend({ host: sink.host, port: sink.port });
    try {
      const m = msg();
      m.attachFile(path);
      expect(await backend.sendMessages([m])).toBe(1);
      const [received] = sink.messages;
      expect(received.parsed.attachments[0].filename).toBe('big.bin');
      expect(received.parsed.attachments[0].content.equals(big)).toBe(true);
    } finally {
      await backend.close();
      await sink.close();
    }
  });
});
