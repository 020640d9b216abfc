import 'reflect-metadata';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { simpleParser } from 'mailparser';
import {
  BadHeaderError,
  EmailMessage,
  EmailMultiAlternatives,
  InvalidAddressError,
  MailModule,
  MailService,
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/index.js';
import { startFaultSink, type FaultSink } from '../support/fault-sink.js';
import { assertEnvelopeInvariant, bareLineBreaks } from './invariant.js';

/*
 * The bad-input table of the reference (performance-reliability-security.md
 * §3.5), row by row, on the wire. test/message/header-injection.spec.ts and
 * addresses.spec.ts already check that message() refuses rows 1, 2, 4–12, 14,
 * 15, 21, 25 and 28 with the right error and wording; here the same inputs go
 * through real sends and the sink must see no connection at all. Rows 31–33
 * and 37–38 are the fault matrix and tls-downgrade.spec.ts; row 34 is
 * smtp.backend.spec.ts ('does not expose the password') and
 * console.backend.spec.ts (no Bcc); row 36 is file.backend.spec.ts.
 */

const FROM = 'from@example.com';
const msg = (overrides: Partial<EmailMessage> = {}) =>
  Object.assign(
    new EmailMessage('Subject', 'Body', FROM, ['to@example.com']),
    overrides,
  );

let sink: FaultSink;
const backendFor = (options: SmtpEmailBackendOptions = {}) =>
  new SmtpEmailBackend({
    host: sink.host,
    port: sink.port,
    timeout: 5,
    ...options,
  });

describe('hostile input is refused before any byte reaches a socket', () => {
  let app: TestingModule;
  let mail: MailService;
  beforeAll(async () => {
    sink = await startFaultSink();
    app = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          options: { host: sink.host, port: sink.port, timeout: 5 },
        }),
      ],
    }).compile();
    await app.init();
    mail = app.get(MailService);
  });
  afterAll(async () => {
    await app.close();
    await sink.close();
  });

  const deep = 'a:'.repeat(10_000) + 'a@example.com;';
  const commaList = Array.from(
    { length: 100_000 },
    (_, i) => `u${i}@example.com`,
  ).join(',');
  const comments = '('.repeat(50_000) + 'a@example.com' + ')'.repeat(50_000);
  const separate = commaList.split(',');

  it.each<[string, () => EmailMessage, new (...args: never[]) => Error]>([
    [
      '1: CRLF + Bcc in the subject',
      () => msg({ subject: 'Hi\r\nBcc: evil@attacker.test' }),
      BadHeaderError,
    ],
    [
      '2: bare LF in the subject',
      () => msg({ subject: 'Hi\nthere' }),
      BadHeaderError,
    ],
    [
      '2: bare CR in the subject',
      () => msg({ subject: 'Hi\rthere' }),
      BadHeaderError,
    ],
    [
      '4: CRLF + Bcc in a To item',
      () => msg({ to: ['victim@example.com\r\nBcc: evil@attacker.test'] }),
      BadHeaderError,
    ],
    [
      '5: LF in a display name',
      () => msg({ to: ['Name\nInjection test <to@example.com>'] }),
      BadHeaderError,
    ],
    [
      '6: CRLF in fromEmail',
      () => msg({ fromEmail: 'a@example.com\r\nBcc: evil@attacker.test' }),
      BadHeaderError,
    ],
    [
      '7: CRLF in replyTo',
      () => msg({ replyTo: ['r@example.com\r\nBcc: x@attacker.test'] }),
      BadHeaderError,
    ],
    [
      '7: CRLF in cc',
      () => msg({ cc: ['c@example.com\r\nBcc: x@attacker.test'] }),
      BadHeaderError,
    ],
    [
      '8: CRLF in a header value',
      () => msg({ extraHeaders: { 'X-Custom': 'v\r\nBcc: x@attacker.test' } }),
      BadHeaderError,
    ],
    [
      '9: CRLF in a header name',
      () => msg({ extraHeaders: { 'X-A: b\r\nX-C': 'v' } }),
      BadHeaderError,
    ],
    [
      '10: CRLF in a given Message-ID',
      () =>
        msg({
          extraHeaders: { 'Message-ID': '<a@b>\r\nBcc: x@attacker.test' },
        }),
      BadHeaderError,
    ],
    [
      '11: two mailboxes in one item',
      () => msg({ to: ['to@example.com, other@example.com'] }),
      InvalidAddressError,
    ],
    [
      '12: two @ (via bcc)',
      () => msg({ bcc: ['to@other.com@example.com'] }),
      InvalidAddressError,
    ],
    [
      '12: address as display name (via bcc)',
      () => msg({ bcc: ['to@other.com <to@example.com>'] }),
      InvalidAddressError,
    ],
    ['12: "@" (via bcc)', () => msg({ bcc: ['@'] }), InvalidAddressError],
    ['12: "to@" (via bcc)', () => msg({ bcc: ['to@'] }), InvalidAddressError],
    [
      '12: "@example.com" (via bcc)',
      () => msg({ bcc: ['@example.com'] }),
      InvalidAddressError,
    ],
    [
      '12: CRLF in a quoted local part (via bcc)',
      () => msg({ bcc: ['"evil@example.com\r\nto"@example.com'] }),
      BadHeaderError,
    ],
    [
      '12: LF in an address (via bcc)',
      () => msg({ bcc: ['to\nevil@example.com'] }),
      BadHeaderError,
    ],
    [
      '14: comment then a second domain',
      () => msg({ to: ['good@good.com(comment)@evil.com'] }),
      InvalidAddressError,
    ],
    [
      '15: GHSA-g57g "user"@example.com(x)evil.com',
      () => msg({ to: ['"user"@example.com(x)evil.com'] }),
      InvalidAddressError,
    ],
    ['16: 10k-deep group', () => msg({ to: [deep] }), InvalidAddressError],
    [
      '16: 100k comma list in one item',
      () => msg({ to: [commaList] }),
      InvalidAddressError,
    ],
    [
      '16: 100k comma list in a To override',
      () => msg({ extraHeaders: { To: commaList } }),
      InvalidAddressError,
    ],
    ['16: 100k separate To items', () => msg({ to: separate }), BadHeaderError],
    [
      '16: 100k separate Bcc items',
      () => msg({ bcc: separate }),
      BadHeaderError,
    ],
    [
      '16: 100k separate Reply-To items',
      () => msg({ replyTo: separate }),
      BadHeaderError,
    ],
    [
      '16: 1,001 recipients across To, Cc and Bcc',
      () =>
        msg({
          to: separate.slice(0, 400),
          cc: separate.slice(400, 800),
          bcc: separate.slice(800, 1001),
        }),
      BadHeaderError,
    ],
    [
      '16: 50k nested comments',
      () => msg({ cc: [comments] }),
      InvalidAddressError,
    ],
    [
      '17: nested recipient arrays (GHSA-8vvx)',
      () => msg({ to: [[['a@example.com']]] as unknown as string[] }),
      TypeError,
    ],
    [
      '21: non-ASCII local part',
      () => msg({ to: ['nø@example.dk'] }),
      InvalidAddressError,
    ],
    [
      '25: CRLF in an attachment filename',
      () => {
        const m = msg();
        m.attach('a.txt"\r\nBcc: evil@attacker.test', 'x', 'text/plain');
        return m;
      },
      BadHeaderError,
    ],
    [
      '28: CRLF in a mimetype',
      () => {
        const m = msg();
        m.attachments = [
          {
            filename: 'a.txt',
            content: 'x',
            mimetype: 'text/plain\r\nBcc: x@attacker.test',
          },
        ];
        return m;
      },
      BadHeaderError,
    ],
  ])('row %s', async (_row, make, ErrorType) => {
    // Through the module's shared mailer, a fresh connection, and sendMassMail's sibling.
    await expect(mail.send(make())).rejects.toBeInstanceOf(ErrorType);
    await expect(
      mail.send([msg(), make()], { failSilently: true }),
    ).rejects.toBeInstanceOf(ErrorType);
    await expect(
      backendFor({ failSilently: true }).sendMessages([make()]),
    ).rejects.toBeInstanceOf(ErrorType);
    expect(sink.connectionCount).toBe(0);
    expect(sink.received.length).toBe(0);
  });
});

describe('hostile input that is sent is encoded safely', () => {
  let backend: SmtpEmailBackend;
  beforeEach(async () => {
    sink = await startFaultSink();
    backend = backendFor();
    await backend.open();
  });
  afterEach(async () => {
    await backend.close();
    await sink.close();
  });

  async function sendOne(message: EmailMessage) {
    const before = sink.transactions.length;
    expect(await backend.sendMessages([message])).toBe(1);
    expect(sink.transactions).toHaveLength(before + 1);
    const tx = sink.transactions[before];
    await assertEnvelopeInvariant(tx, message);
    return { tx, parsed: await simpleParser(tx.data) };
  }

  function expectCleanWire() {
    expect(bareLineBreaks(sink.received)).toEqual([]);
  }

  it('row 3: U+2028, U+0085, NUL and DEL in the subject are sent encoded, never raw', async () => {
    const subject = 'Hi\u2028there\u0085x\u0000y\u007Fz';
    const { tx, parsed } = await sendOne(msg({ subject }));
    const header = tx.data.toString('latin1').split('\r\n\r\n')[0];
    expect(header).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(header).not.toMatch(/[\u0000\u007F\u0080-\u00FF]/);
    expect(parsed.subject).toBe(subject);
    expectCleanWire();
  });

  it('row 13: a quoted local part holding an address goes to its own domain only (GHSA-mm7p)', async () => {
    const to = '"xclow3n@gmail.com x"@internal.domain';
    const { tx } = await sendOne(msg({ to: [to] }));
    const rcpt = sink.commands.filter((c) => c.startsWith('RCPT'));
    expect(rcpt).toEqual([`RCPT TO:<${to}>`]);
    expect(tx.rcptTo).toEqual([to]);
  });

  it.each([
    ['18: Cyrillic а', 'user@exаmple.com', 'user@xn--exmple-4nf.com'],
    [
      '19: ß (UTS #46, as nodemailer; Python gives fass.de)',
      'user@faß.de',
      'user@xn--fa-hia.de',
    ],
    ['20: fullwidth letters', 'user@ＥＸＡＭＰＬＥ.com', 'user@example.com'],
    ['20: soft hyphen', 'user@exam\u00ADple.com', 'user@example.com'],
    ['20: zero-width space', 'user@exam\u200Bple.com', 'user@example.com'],
  ])(
    'row %s: envelope and header agree on the ASCII form',
    async (_row, input, ascii) => {
      const { tx, parsed } = await sendOne(
        msg({
          fromEmail: input.replace('user@', 'sender@'),
          to: [input],
          cc: [`Name <${input}>`],
        }),
      );
      expect(tx.mailFrom).toBe(ascii.replace('user@', 'sender@'));
      expect(tx.rcptTo).toEqual([ascii, ascii]);
      const header = tx.data.toString('latin1').split('\r\n\r\n')[0];
      expect(header).toContain(`\r\nTo: ${ascii}\r\n`);
      expect(header).toContain(`\r\nCc: Name <${ascii}>\r\n`);
      expect(parsed.cc).toMatchObject({ value: [{ name: 'Name' }] });
      expect(tx.data.toString('latin1')).not.toMatch(/[\u0080-\u00FF]/);
    },
  );

  const SMUGGLING = [
    [
      '22: CRLF.CRLF then smuggled commands',
      'hello\r\n.\r\nMAIL FROM:<ceo@bank.test>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nowned\r\n.\r\n',
    ],
    ['23: LF.CRLF', 'a\n.\r\nMAIL FROM:<ceo@bank.test>\r\n'],
    ['23: LF.LF', 'a\n.\nMAIL FROM:<ceo@bank.test>\n'],
    ['23: CR.CR', 'a\r.\rMAIL FROM:<ceo@bank.test>\r'],
    ['23: CR.CRLF', 'a\r.\r\nMAIL FROM:<ceo@bank.test>\r\n'],
  ] as const;

  it.each(SMUGGLING)(
    'row %s: one message, dot stuffed, no bare CR or LF on the wire',
    async (_row, body) => {
      for (const Message of [EmailMessage, EmailMultiAlternatives]) {
        const message = new Message('Smuggle', body, FROM, ['to@example.com']);
        if (message instanceof EmailMultiAlternatives) {
          message.attachAlternative(`<p>${body}</p>`, 'text/html');
        }
        const { tx } = await sendOne(message);
        expect(tx.wire.toString('latin1')).not.toMatch(/\r\n\.[^.]/);
      }
      expect(sink.mailFromCount).toBe(2);
      expect(sink.commands.filter((c) => c.includes('bank.test'))).toEqual([]);
      expectCleanWire();
    },
  );

  it('row 22: the smuggled end-of-data shows as ".." on the wire and the body survives', async () => {
    const { tx, parsed } = await sendOne(msg({ body: SMUGGLING[0][1] }));
    expect(tx.wire.toString()).toContain(
      'hello\r\n..\r\nMAIL FROM:<ceo@bank.test>',
    );
    expect(parsed.text).toBe(SMUGGLING[0][1].replace(/\r\n/g, '\n'));
  });

  it('row 24: lines starting with dots are stuffed and restored', async () => {
    const { tx, parsed } = await sendOne(msg({ body: '.starts\n..two\n.' }));
    expect(tx.wire.toString()).toContain('\r\n..starts\r\n...two\r\n..\r\n');
    expect(parsed.text).toBe('.starts\n..two\n.\n');
    expectCleanWire();
  });

  it('row 26: a quote in a filename cannot change its extension', async () => {
    const m = msg();
    m.attach('filename.html";.jpg', 'x', 'image/jpeg');
    const { parsed } = await sendOne(m);
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      'filename.html";.jpg',
    ]);
  });

  it('row 27: a path in a filename is only a parameter', async () => {
    const m = msg();
    m.attach('../../../etc/passwd', 'not the password file', 'text/plain');
    const { parsed } = await sendOne(m);
    expect(parsed.attachments[0].filename).toBe('../../../etc/passwd');
    expect(parsed.attachments[0].content.toString().trimEnd()).toBe(
      'not the password file',
    );
  });

  it('row 29: nodemailer-only keys are unreachable (raw, envelope, list, path, href, data URLs, transport name)', async () => {
    const requests: string[] = [];
    const http = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('SSRF');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/x`;
    try {
      const evil = {
        raw: 'Subject: raw\r\n\r\nraw body',
        envelope: {
          from: 'evil@attacker.test',
          to: ['evil@attacker.test'],
          size: '1\r\nRCPT TO:<x@attacker.test>',
        },
        list: { help: 'x\r\nBcc: evil@attacker.test' },
        attachDataUrls: true,
      };
      const m = new EmailMultiAlternatives(
        'Keys',
        'Body',
        FROM,
        ['to@example.com'],
        evil as object,
      );
      Object.assign(m, evil);
      m.attachAlternative(
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        'text/html',
      );
      m.attach({
        filename: 'a.txt',
        content: 'hello',
        mimetype: 'text/plain',
        path: '/etc/passwd',
        href: url,
      } as never);

      await backend.close();
      backend = backendFor({
        name: 'evil\r\nRCPT TO:<x@attacker.test>',
      } as SmtpEmailBackendOptions);
      const { tx, parsed } = await sendOne(m);
      expect(tx.mailFrom).toBe(FROM);
      expect(tx.rcptTo).toEqual(['to@example.com']);
      expect(parsed.subject).toBe('Keys');
      expect(parsed.headers.has('list-help')).toBe(false);
      expect(
        parsed.attachments.map((a) => [
          a.filename,
          a.content.toString().trimEnd(),
        ]),
      ).toEqual([['a.txt', 'hello']]);
      expect(parsed.html).toContain('src="data:image/png;base64,');
      expect(tx.data.toString()).not.toMatch(/root:|SSRF|attacker/);
      expect(requests).toEqual([]);
      expect(sink.commands.filter((c) => /attacker/.test(c))).toEqual([]);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('row 30: a message over the server size limit is a clean, permanent failure', async () => {
    sink.script = {
      afterData: (tx) =>
        tx.data.length > 10_000
          ? '552 5.3.4 Message size exceeds fixed limit'
          : 'accept',
    };
    await backend.close();
    backend = backendFor({ failSilently: true });
    const big = msg({ body: 'x'.repeat(20_000) });
    const { sent, outcomes } = await backend.sendMessagesDetailed([big, msg()]);
    expect(sent).toBe(1);
    expect(outcomes[0]).toMatchObject({
      status: 'failed',
      classification: 'permanent',
    });
    expect(outcomes[0].rejected).toEqual([
      expect.objectContaining({ address: 'to@example.com', responseCode: 552 }),
    ]);
    expect(sink.stored).toHaveLength(1);
  });
});
