import { describe, expect, it } from '@jest/globals';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { header, leaves, render, shape } from './helpers.js';

const make = (body = 'Text body') =>
  new EmailMultiAlternatives('Subject', body, 'from@example.com', [
    'to@example.com',
  ]);

describe('EmailMultiAlternatives', () => {
  it('is an EmailMessage', () => {
    expect(make()).toBeInstanceOf(EmailMessage);
  });

  it('attachAlternative(content, mimetype) adds a part', async () => {
    const msg = make();
    msg.attachAlternative('<p>HTML body</p>', 'text/html');
    expect(msg.alternatives).toEqual([
      { content: '<p>HTML body</p>', mimetype: 'text/html' },
    ]);
    const { parsed } = await render(msg);
    expect(parsed.html).toBe('<p>HTML body</p>\n');
    expect(parsed.text).toBe('Text body\n');
  });

  it.each([
    [undefined, 'text/html'],
    [null, 'text/html'],
    ['<p>x</p>', undefined],
    ['<p>x</p>', null],
  ])(
    "refuses attachAlternative(%p, %p) with 'Both content and mimetype must be provided.'",
    (content, mimetype) => {
      const msg = make();
      expect(() =>
        msg.attachAlternative(content as never, mimetype as never),
      ).toThrow(new TypeError('Both content and mimetype must be provided.'));
      expect(msg.alternatives).toEqual([]);
    },
  );

  it('takes alternatives in the constructor, as objects or tuples', async () => {
    const msg = new EmailMultiAlternatives(
      's',
      'text',
      'f@example.com',
      ['t@example.com'],
      {
        alternatives: [
          { content: '<p>one</p>', mimetype: 'text/html' },
          ['{\\rtf1 two}', 'application/rtf'],
        ],
        cc: ['cc@example.com'],
      },
    );
    expect(msg.alternatives).toEqual([
      { content: '<p>one</p>', mimetype: 'text/html' },
      { content: '{\\rtf1 two}', mimetype: 'application/rtf' },
    ]);
    const { tree, mime } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/alternative',
      ['text/plain', 'text/html', 'application/rtf'],
    ]);
    expect(mime.get('Cc')).toBe('cc@example.com');
  });

  it('refuses an incomplete alternative in the constructor', () => {
    expect(
      () =>
        new EmailMultiAlternatives('s', 'b', 'f@example.com', [], {
          alternatives: [{ content: '<p>x</p>' } as never],
        }),
    ).toThrow('Both content and mimetype must be provided.');
  });

  it('base64-encodes non-text alternatives and round-trips their bytes', async () => {
    const audio = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const msg = make();
    msg.attachAlternative(audio, 'audio/mpeg');
    const { tree, raw } = await render(msg);
    const part = tree.children[1];
    expect(part.type).toBe('audio/mpeg');
    expect(header(part, 'content-transfer-encoding')).toBe('base64');
    expect(
      Buffer.from(part.body.replace(/\s+/g, ''), 'base64').equals(audio),
    ).toBe(true);
    expect(raw).not.toMatch(/audio\/mpeg.*name=/);
  });

  it('decodes a text alternative given as UTF-8 bytes', async () => {
    const msg = make();
    msg.attachAlternative(Buffer.from('<p>Sürname</p>', 'utf8'), 'text/html');
    const { parsed } = await render(msg);
    expect(parsed.html).toBe('<p>Sürname</p>\n');
  });

  it('applies the message encoding to text alternatives', async () => {
    const msg = make('Sürname');
    msg.encoding = 'iso-8859-1';
    msg.attachAlternative('<p>Sürname</p>', 'text/html');
    const { tree } = await render(msg);
    for (const leaf of leaves(tree)) {
      expect(header(leaf, 'content-type')).toMatch(/charset=iso-8859-1$/);
      expect(leaf.body).toContain('S\xfcrname');
    }
  });

  it('chooses the transfer encoding of text alternatives like the body', async () => {
    const msg = make('short');
    msg.attachAlternative(
      `<p>${'I de sørlige hav '.repeat(58)}</p>`,
      'text/html',
    );
    const { tree, parsed } = await render(msg);
    expect(header(tree.children[1], 'content-transfer-encoding')).toBe(
      'quoted-printable',
    );
    expect(parsed.html).toBe(`<p>${'I de sørlige hav '.repeat(58)}</p>\n`);
  });

  it('reflects alternatives reassigned after construction', async () => {
    const msg = make();
    msg.attachAlternative('<p>old</p>', 'text/html');
    msg.alternatives = [{ content: '<p>new</p>', mimetype: 'text/html' }];
    const { parsed } = await render(msg);
    expect(parsed.html).toBe('<p>new</p>\n');
  });
});

describe('bodyContains()', () => {
  it('is true only when the text is in the body and every text/* alternative', () => {
    const msg = make('I am content');
    expect(msg.bodyContains('I am content')).toBe(true);
    expect(msg.bodyContains('I am not')).toBe(false);
    msg.attachAlternative('<p>I am content</p>', 'text/html');
    expect(msg.bodyContains('I am content')).toBe(true);
    expect(msg.bodyContains('<p>')).toBe(false);
    msg.attachAlternative('I am something else', 'text/x-other');
    expect(msg.bodyContains('I am content')).toBe(false);
    expect(msg.bodyContains('I am')).toBe(true);
  });

  it('ignores non-text alternatives', () => {
    const msg = make('I am content');
    msg.attachAlternative(
      Buffer.from('nothing alike'),
      'application/x-ccmail-rtf',
    );
    msg.attachAlternative('also nothing', 'audio/mpeg');
    expect(msg.bodyContains('I am content')).toBe(true);
  });

  it('reads text alternatives given as bytes', () => {
    const msg = make('Sürname here');
    msg.attachAlternative(Buffer.from('<b>Sürname</b>', 'utf8'), 'text/html');
    expect(msg.bodyContains('Sürname')).toBe(true);
    expect(msg.bodyContains('here')).toBe(false);
  });

  it('is false when the body lacks the text, even with no alternatives', () => {
    expect(make('').bodyContains('x')).toBe(false);
  });
});
