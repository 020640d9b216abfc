import { describe, expect, it } from '@jest/globals';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { header, leaves, render, shape } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function multi(body = 'Text body') {
  return new EmailMultiAlternatives('Subject', body, 'from@example.com', [
    'to@example.com',
  ]);
}

describe('MIME structure', () => {
  it('is text/plain alone for a body-only message', async () => {
    const { tree, parsed } = await render(
      new EmailMessage('s', 'Hello', 'f@example.com', ['t@example.com']),
    );
    expect(shape(tree)).toBe('text/plain');
    expect(header(tree, 'content-type')).toBe('text/plain; charset=utf-8');
    expect(parsed.text).toBe('Hello\n');
  });

  it('is text/plain for an empty EmailMessage() and EmailMultiAlternatives()', async () => {
    for (const msg of [new EmailMessage(), new EmailMultiAlternatives()]) {
      const { tree, parsed } = await render(msg);
      expect(shape(tree)).toBe('text/plain');
      expect(tree.body).toBe('\n');
      expect(parsed.attachments).toEqual([]);
    }
  });

  it('is multipart/mixed with attachments', async () => {
    const msg = new EmailMessage('s', 'Body', 'f@example.com', [
      't@example.com',
    ]);
    msg.attach('image.png', PNG);
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      ['text/plain', 'image/png'],
    ]);
  });

  it('is multipart/alternative with alternatives', async () => {
    const msg = multi();
    msg.attachAlternative('<p>HTML</p>', 'text/html');
    const { tree, parsed } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/alternative',
      ['text/plain', 'text/html'],
    ]);
    expect(parsed.text).toBe('Text body\n');
    expect(parsed.html).toBe('<p>HTML</p>\n');
  });

  it('is mixed → (alternative → plain, html), attachment', async () => {
    const msg = multi();
    msg.attachAlternative('<p>HTML</p>', 'text/html');
    msg.attach('image.png', PNG);
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [['multipart/alternative', ['text/plain', 'text/html']], 'image/png'],
    ]);
  });

  it('has no empty text part when there is only an attachment', async () => {
    const msg = new EmailMessage('s', '', 'f@example.com', ['t@example.com']);
    msg.attach('image.png', PNG);
    const { tree, parsed } = await render(msg);
    expect(shape(tree)).toEqual(['multipart/mixed', ['image/png']]);
    expect(parsed.text).toBeUndefined();
  });

  it('has no empty text part when there is only an alternative', async () => {
    const msg = multi('');
    msg.attachAlternative('<p>HTML</p>', 'text/html');
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual(['multipart/alternative', ['text/html']]);
  });

  it('is mixed → (alternative → html), attachment with an empty body', async () => {
    const msg = multi('');
    msg.attachAlternative('<p>HTML</p>', 'text/html');
    msg.attach('image.png', PNG);
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [['multipart/alternative', ['text/html']], 'image/png'],
    ]);
  });

  it('nests a message/rfc822 attachment with its own text/plain', async () => {
    const msg = multi();
    msg.attachAlternative('<p>HTML</p>', 'text/html');
    msg.attach(
      null,
      new EmailMessage('Inner', 'Inner body', 'a@example.com', [
        'b@example.com',
      ]),
    );
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [
        ['multipart/alternative', ['text/plain', 'text/html']],
        'message/rfc822',
      ],
    ]);
    const inner = tree.children[1];
    expect(inner.body).toMatch(/^Content-Type: text\/plain; charset=utf-8$/m);
    expect(inner.body).toMatch(/\n\nInner body\n/);
  });

  it('ends every text part with a newline', async () => {
    const msg = multi('no newline');
    msg.attachAlternative('<p>no newline</p>', 'text/html');
    msg.attach('notes.txt', 'no newline', 'text/plain');
    const { tree } = await render(msg);
    const texts = leaves(tree).filter((n) => n.type.startsWith('text/'));
    expect(texts).toHaveLength(3);
    for (const part of texts) expect(part.body).toMatch(/no newline(<\/p>)?\n/);
  });

  it('does not double a final newline', async () => {
    const { tree } = await render(
      new EmailMessage('s', 'Content\n', 'f@example.com', []),
    );
    expect(tree.body).toBe('Content\n');
  });

  it('does not From-mangle the body', async () => {
    const { tree } = await render(
      new EmailMessage('s', 'From the future\n', 'f@example.com', []),
    );
    expect(tree.body).toBe('From the future\n');
  });

  it("gives a text/html body with contentSubtype = 'html'", async () => {
    const msg = new EmailMessage('s', '<p>Hi</p>', 'f@example.com', [
      't@example.com',
    ]);
    msg.contentSubtype = 'html';
    const { tree, parsed } = await render(msg);
    expect(header(tree, 'content-type')).toBe('text/html; charset=utf-8');
    expect(parsed.html).toBe('<p>Hi</p>\n');
  });

  it('puts MIME-Version on the top node only', async () => {
    const msg = multi();
    msg.attachAlternative('<p>x</p>', 'text/html');
    msg.attach('image.png', PNG);
    const { raw } = await render(msg);
    expect(raw.match(/^MIME-Version: 1\.0$/gm)).toHaveLength(1);
  });
});
