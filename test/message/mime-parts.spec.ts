import { describe, expect, it } from '@jest/globals';
import { BadHeaderError } from '../../lib/errors/bad-header.error.js';
import {
  MAX_MIME_DEPTH,
  MimeNestingError,
} from '../../lib/errors/mime-nesting.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import { EmailMultiAlternatives } from '../../lib/message/email-multi-alternatives.js';
import { MimePart } from '../../lib/message/mime-part.js';
import { header, leaves, render, shape } from './helpers.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000',
  'hex',
);
const ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//nestjs-mail//test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:1234@example.com',
  'DTSTAMP:20261130T120000Z',
  'DTSTART:20261201T090000Z',
  'DTEND:20261201T100000Z',
  'SUMMARY:Réunion',
  'ORGANIZER:mailto:from@example.com',
  'ATTENDEE;RSVP=TRUE:mailto:to@example.com',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const multi = (body = 'Text body') =>
  new EmailMultiAlternatives('Subject', body, 'from@example.com', [
    'to@example.com',
  ]);

describe('MimePart', () => {
  it('is inserted as it is, with its filename, disposition, Content-ID and headers', async () => {
    const msg = multi();
    msg.attach(
      new MimePart(PNG, 'image/png', {
        filename: 'pixel.png',
        contentId: 'pixel@example.com',
        headers: { 'X-Part': 'one' },
      }),
    );
    const { tree, parsed } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      ['text/plain', 'image/png'],
    ]);
    const part = tree.children[1];
    expect(header(part, 'content-type')).toBe('image/png');
    expect(header(part, 'content-disposition')).toBe(
      'attachment; filename=pixel.png',
    );
    expect(header(part, 'content-id')).toBe('<pixel@example.com>');
    expect(header(part, 'x-part')).toBe('one');
    expect(parsed.attachments[0].content.equals(PNG)).toBe(true);
    expect(parsed.attachments[0].cid).toBe('pixel@example.com');
  });

  it('nests child parts in a multipart/* part, and an EmailMessage as message/rfc822', async () => {
    const msg = multi();
    const inner = new EmailMessage('inner', 'inner body', 'a@example.com', [
      'b@example.com',
    ]);
    msg.attach(
      new MimePart(
        [
          new MimePart('first', 'text/plain'),
          new MimePart(
            [
              new MimePart('<p>deep</p>', 'text/html'),
              new MimePart(PNG, 'image/png', { disposition: 'inline' }),
            ],
            'multipart/related',
          ),
          new MimePart(inner, 'message/rfc822'),
        ],
        'multipart/mixed',
      ),
    );
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [
        'text/plain',
        [
          'multipart/mixed',
          [
            'text/plain',
            ['multipart/related', ['text/html', 'image/png']],
            'message/rfc822',
          ],
        ],
      ],
    ]);
    const nested = tree.children[1];
    expect(header(nested.children[0], 'content-disposition')).toBeUndefined();
    // (the raw body still holds the line break that belongs to the next boundary)
    expect(nested.children[0].body).toBe('first\n\n');
    expect(header(nested.children[1].children[1], 'content-disposition')).toBe(
      'inline',
    );
    expect(nested.children[2].body).toContain('inner body');
  });

  it('refuses child parts under a non-multipart type, and a multipart type without children', () => {
    const wrongChildren = multi();
    wrongChildren.attach(
      new MimePart([new MimePart('a', 'text/plain')], 'text/plain'),
    );
    expect(() => wrongChildren.message()).toThrow(/multipart\/\* mimetype/);
    const noChildren = multi();
    noChildren.attach(new MimePart('text', 'multipart/mixed'));
    expect(() => noChildren.message()).toThrow(/array of child MimeParts/);
  });

  it('checks every field like any other header', () => {
    const cases: Array<() => MimePart> = [
      () => new MimePart('x', 'text/plain', { filename: 'a\r\nBcc: x' }),
      () => new MimePart('x', 'text/plain', { contentId: 'a@b\nBcc: x' }),
      () => new MimePart('x', 'text/plain', { contentId: 'ä@example.com' }),
      () =>
        new MimePart('x', 'text/plain', { headers: { 'X-A': 'a\r\nBcc: x' } }),
      () =>
        new MimePart('x', 'text/plain', {
          headers: { 'Content-Type': 'text/html' },
        }),
      () => new MimePart('x', 'text/plain', { headers: { 'Bad Name': 'x' } }),
    ];
    for (const make of cases) {
      const msg = multi();
      msg.attach(make());
      expect(() => msg.message()).toThrow(BadHeaderError);
    }
    expect(() => new MimePart('x', 'text/plain\r\nBcc: x')).toThrow(
      BadHeaderError,
    );
  });

  it('refuses nesting deeper than MAX_MIME_DEPTH with MimeNestingError', () => {
    let part = new MimePart('leaf', 'text/plain');
    for (let i = 0; i < MAX_MIME_DEPTH + 5; i++)
      part = new MimePart([part], 'multipart/mixed');
    const msg = multi();
    msg.attach(part);
    expect(() => msg.message()).toThrow(MimeNestingError);
  });

  it('is deep-copied by clone()', async () => {
    const msg = multi();
    const bytes = Buffer.from(PNG);
    msg.attach(
      new MimePart([new MimePart(bytes, 'image/png')], 'multipart/mixed'),
    );
    const copy = msg.clone();
    bytes[0] = 0;
    const { parsed } = await render(copy);
    expect(parsed.attachments[0].content.equals(PNG)).toBe(true);
  });
});

describe('attachInline', () => {
  it('returns a cid: reference and sends the HTML alternative in multipart/related', async () => {
    const msg = multi();
    const src = msg.attachInline('logo.png', PNG);
    expect(src).toMatch(/^cid:[0-9a-f]{32}@nestjs-mail\.invalid$/);
    msg.attachAlternative(`<p><img src="${src}" alt="logo"></p>`, 'text/html');
    msg.attach('report.pdf', Buffer.from('%PDF-1.4'), 'application/pdf');
    const { tree, parsed } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [
        [
          'multipart/alternative',
          ['text/plain', ['multipart/related', ['text/html', 'image/png']]],
        ],
        'application/pdf',
      ],
    ]);
    const image = leaves(tree).find((l) => l.type === 'image/png')!;
    expect(header(image, 'content-id')).toBe(`<${src.slice(4)}>`);
    expect(header(image, 'content-disposition')).toBe(
      'inline; filename=logo.png',
    );
    const inline = parsed.attachments.find(
      (a) => a.contentType === 'image/png',
    )!;
    expect(inline.cid).toBe(src.slice(4));
    expect(inline.related).toBe(true);
    expect(inline.content.equals(PNG)).toBe(true);
  });

  it('puts an HTML body (contentSubtype html) with its images in multipart/related', async () => {
    const msg = new EmailMessage('s', '', 'from@example.com', [
      'to@example.com',
    ]);
    msg.contentSubtype = 'html';
    const src = msg.attachInline(null, PNG, 'image/png');
    msg.body = `<img src="${src}">`;
    const { tree } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/related',
      ['text/html', 'image/png'],
    ]);
    expect(header(tree.children[1], 'content-disposition')).toBe('inline');
  });

  it('gives the same reference for the same image, a different one for another', () => {
    const msg = multi();
    expect(msg.attachInline('a.png', PNG)).toBe(msg.attachInline('a.png', PNG));
    expect(msg.attachInline('a.png', PNG)).not.toBe(
      msg.attachInline('b.png', PNG),
    );
  });
});

describe('mimetype parameters', () => {
  it('sends a calendar invite as an attachment and as an alternative, method kept', async () => {
    const msg = multi('You are invited.');
    msg.attachAlternative(ICS, 'text/calendar; method=REQUEST');
    msg.attach('invite.ics', ICS, 'text/calendar; method=REQUEST');
    const { tree, parsed } = await render(msg);
    expect(shape(tree)).toEqual([
      'multipart/mixed',
      [
        ['multipart/alternative', ['text/plain', 'text/calendar']],
        'text/calendar',
      ],
    ]);
    const calendars = leaves(tree).filter((l) => l.type === 'text/calendar');
    for (const leaf of calendars)
      expect(header(leaf, 'content-type')).toBe(
        'text/calendar; charset=utf-8; method=REQUEST',
      );
    const invite = parsed.attachments.find((a) => a.filename === 'invite.ics')!;
    // (rendered with LF line ends here; on the wire they are CRLF)
    expect(invite.content.toString('utf8')).toBe(ICS.replace(/\r\n/g, '\n'));
  });

  it('re-emits parameters safely (RFC 2231 for quotes and non-ASCII) and they read back', async () => {
    const msg = multi();
    msg.attach(
      'a.bin',
      Buffer.from('x'),
      'application/x-thing; note="a;b \\"c\\""',
    );
    msg.attach('b.bin', Buffer.from('y'), 'application/x-thing; title="Grüße"');
    msg.attach('c.bin', Buffer.from('z'), 'application/x-thing; plain=token');
    const { tree, parsed } = await render(msg);
    expect(header(tree.children[1], 'content-type')).toBe(
      "application/x-thing; note*0*=utf-8''a%3Bb%20%22c%22",
    );
    expect(header(tree.children[2], 'content-type')).toBe(
      "application/x-thing; title*0*=utf-8''Gr%C3%BC%C3%9Fe",
    );
    expect(header(tree.children[3], 'content-type')).toBe(
      'application/x-thing; plain=token',
    );
    const params = parsed.attachments.map(
      (a) => (a.headers.get('content-type') as { params: object }).params,
    );
    expect(params).toEqual([
      { note: 'a;b "c"' },
      { title: 'Grüße' },
      { plain: 'token' },
    ]);
  });

  it.each([
    'text/plain; x=y\r\nBcc: victim@example.com',
    'text/plain; x="y\nBcc: victim@example.com"',
    'text/plain; x=y; Bcc: victim@example.com',
    'text/plain; x="unterminated',
    'text/plain; x=y z',
    'text/plain; x=1; X=2',
    "text/plain; name*=utf-8''x",
    'multipart/mixed; boundary=abc',
  ])('refuses %j', (mimetype) => {
    const msg = multi();
    msg.attachAlternative('x', mimetype);
    expect(() => msg.message()).toThrow(BadHeaderError);
  });

  it('refuses parameters in contentSubtype, which names a subtype only', () => {
    const msg = new EmailMessage('s', 'b', 'from@example.com', [
      'to@example.com',
    ]);
    msg.contentSubtype = 'html; charset=koi8-r';
    expect(() => msg.message()).toThrow(/contentSubtype takes a subtype only/);
    msg.contentSubtype = 'html';
    expect(msg.message().get('Content-Type')).toBe('text/html; charset=utf-8');
  });

  it('refuses multipart/* as a plain attachment mimetype, with a clear error', () => {
    const msg = multi();
    expect(() => msg.attach('x.eml', 'data', 'multipart/mixed')).toThrow(
      /multipart\/mixed cannot be an attachment's mimetype.*MimePart/,
    );
    msg.attachments.push({
      filename: 'x',
      content: 'data',
      mimetype: 'Multipart/Alternative',
    });
    expect(() => msg.message()).toThrow(BadHeaderError);
    const alt = multi();
    alt.attachAlternative('x', 'multipart/alternative');
    expect(() => alt.message()).toThrow(/an alternative's mimetype/);
  });
});
