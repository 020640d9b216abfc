import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Transport } from 'nodemailer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmailMessage,
  EmailMultiAlternatives,
  ImproperlyConfiguredError,
  MailModule,
  MailService,
  NodemailerTransportBackend,
  SmtpEmailBackend,
  type DkimOptions,
} from '../../lib/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

type Verify = (
  input: Buffer,
  options: { resolver: (name: string, type: string) => Promise<string[][]> },
) => Promise<{
  results: Array<{
    status: { result: string; comment?: string };
    signingDomain: string;
    selector: string;
    algo: string;
    signingHeaders?: { keys: string };
  }>;
}>;
const { dkimVerify } = createRequire(import.meta.url)(
  'mailauth/lib/dkim/verify',
) as { dkimVerify: Verify };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const dns = new Map<string, string>([
  [
    'rsa2026._domainkey.example.com',
    `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  ],
  [
    'ed2026._domainkey.example.com',
    // RFC 8463: the raw 32-byte key, the last bytes of its SPKI form.
    `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64')}`,
  ],
]);
const resolver = async (name: string) => {
  const record = dns.get(name);
  if (!record)
    throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
  return [[record]];
};
const rsaKey: DkimOptions = {
  domainName: 'example.com',
  keySelector: 'rsa2026',
  privateKey: rsa.privateKey
    .export({ type: 'pkcs1', format: 'pem' })
    .toString(),
};
const edKey: DkimOptions = {
  domainName: 'example.com',
  keySelector: 'ed2026',
  privateKey: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

let sink: SmtpSink;
let dir: string;
beforeAll(async () => {
  sink = await startSmtpSink();
  dir = await mkdtemp(join(tmpdir(), 'dkim-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** Sends one message through SMTP with these keys; returns what arrived. */
async function deliver(
  message: EmailMessage,
  dkim: DkimOptions | DkimOptions[],
): Promise<Buffer> {
  const before = sink.messages.length;
  const backend = new SmtpEmailBackend({
    host: '127.0.0.1',
    port: sink.port,
    dkim,
  });
  expect(await backend.sendMessages([message])).toBe(1);
  await sink.waitForMessages(before + 1);
  return sink.messages[before].raw;
}

function tricky(): EmailMultiAlternatives {
  const body = ['Dots ahead:', '.', '.hidden line', '..two dots', 'end'].join(
    '\n',
  );
  const msg = new EmailMultiAlternatives(
    'A subject long enough to be folded by the serializer, with ünïcödé words that need encoding too',
    body,
    'Sender <sender@example.com>',
    ['to@example.net'],
    {
      headers: {
        'X-Long': 'word '.repeat(60).trim(),
        'List-Unsubscribe': '<https://example.com/u/1>',
      },
    },
  );
  msg.attachAlternative('<p>.leading dot in HTML</p>', 'text/html');
  msg.attach('data.bin', randomBytes(300 * 1024), 'application/octet-stream');
  return msg;
}

describe('DKIM signing, verified with mailauth on what the SMTP server received', () => {
  it('RSA: dot-stuffed lines, folded headers, an attachment', async () => {
    const raw = await deliver(tricky(), rsaKey);
    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: /);
    const { results } = await dkimVerify(raw, { resolver });
    expect(results.map((r) => [r.status.result, r.selector, r.algo])).toEqual([
      ['pass', 'rsa2026', 'rsa-sha256'],
    ]);
  });

  it('Ed25519', async () => {
    const { results } = await dkimVerify(await deliver(tricky(), edKey), {
      resolver,
    });
    expect(results.map((r) => [r.status.result, r.algo])).toEqual([
      ['pass', 'ed25519-sha256'],
    ]);
  });

  it('several keys sign side by side (rotation, RSA next to Ed25519)', async () => {
    const { results } = await dkimVerify(
      await deliver(tricky(), [rsaKey, edKey]),
      { resolver },
    );
    expect(results.map((r) => [r.status.result, r.selector]).sort()).toEqual([
      ['pass', 'ed2026'],
      ['pass', 'rsa2026'],
    ]);
  });

  it('a file attachment, streamed from disk', async () => {
    const path = join(dir, 'big.bin');
    await writeFile(path, randomBytes(3 * 1024 * 1024));
    const msg = new EmailMessage('Big', 'See attached.', 'sender@example.com', [
      'to@example.net',
    ]);
    msg.attachFile(path);
    const { results } = await dkimVerify(await deliver(msg, rsaKey), {
      resolver,
    });
    expect(results[0].status.result).toBe('pass');
  });

  it('fails verification when a signed byte changes (the check can fail)', async () => {
    const raw = Buffer.from(await deliver(tricky(), rsaKey));
    const at = raw.indexOf('Dots ahead');
    raw[at] = 'd'.charCodeAt(0);
    const { results } = await dkimVerify(raw, { resolver });
    expect(results[0].status.result).not.toBe('pass');
    expect(results[0].status.comment).toContain('body hash did not verify');
  });

  it('signs the chosen headers, without skipFields', async () => {
    const raw = await deliver(tricky(), {
      ...rsaKey,
      skipFields: 'Message-ID:Date',
    });
    const { results } = await dkimVerify(raw, { resolver });
    expect(results[0].status.result).toBe('pass');
    const keys = results[0].signingHeaders!.keys.toLowerCase().split(/:\s*/);
    expect(keys).toContain('subject');
    expect(keys).not.toContain('message-id');
    expect(keys).not.toContain('date');
  });

  it('signs what a nodemailer transport receives (backend: nodemailer)', async () => {
    const received: Buffer[] = [];
    const transport: Transport = {
      name: 'recording',
      version: '1',
      send(mail, done) {
        mail.message.build().then((raw: Buffer) => {
          received.push(raw);
          done(null, { messageId: '<r@example.net>' } as never);
        }, done as never);
      },
    };
    const backend = new NodemailerTransportBackend({
      transport,
      dkim: [rsaKey, edKey],
    });
    expect((await backend.sendMessagesDetailed([tricky()])).sent).toBe(1);
    const { results } = await dkimVerify(received[0], { resolver });
    expect(results.map((r) => r.status.result)).toEqual(['pass', 'pass']);
  });

  it('signs asBytes and createReadStream too (file and console mailers)', async () => {
    const mime = tricky().message({
      dkim: new SmtpEmailBackend({ dkim: edKey }).messageSettings.dkim,
    });
    const { results } = await dkimVerify(
      await mime.asBytes({ linesep: '\r\n' }),
      { resolver },
    );
    expect(results[0].status.result).toBe('pass');
    const lf = await mime.asString();
    expect(lf).toMatch(/^DKIM-Signature: /);
    expect(lf).not.toContain('\r\n');
  });
});

describe('DKIM keys are checked at startup', () => {
  async function bootError(dkim: DkimOptions): Promise<Error> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          backend: 'smtp',
          options: { host: '127.0.0.1', port: 1, dkim },
        }),
      ],
    })
      .compile()
      .then(
        async (ref) => {
          await ref.init();
          await ref.get(MailService);
          await ref.close();
          return new Error('started');
        },
        (err: Error) => err,
      );
    return moduleRef;
  }

  it('a key file that cannot be read', async () => {
    const err = await bootError({
      ...rsaKey,
      privateKey: join(dir, 'missing.pem'),
    });
    expect(err).toBeInstanceOf(ImproperlyConfiguredError);
    expect(err.message).toContain("dkim key 'rsa2026._domainkey.example.com'");
    expect(err.message).toContain('neither PEM text nor a readable file');
  });

  it('PEM text that does not parse', async () => {
    const err = await bootError({
      ...rsaKey,
      privateKey:
        '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
    });
    expect(err.message).toContain('could not be parsed as a PEM private key');
    expect(err.message).toContain('openssl genpkey');
  });

  it('a key type DKIM cannot use', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const err = await bootError({
      ...rsaKey,
      privateKey: ec.privateKey
        .export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    });
    expect(err.message).toContain('a ec key cannot sign DKIM');
  });

  it('reads a key from a PEM file', async () => {
    const path = join(dir, 'key.pem');
    await writeFile(path, String(edKey.privateKey));
    const before = sink.messages.length;
    const moduleRef = await Test.createTestingModule({
      imports: [
        MailModule.forRoot({
          backend: 'smtp',
          options: {
            host: '127.0.0.1',
            port: sink.port,
            dkim: { ...edKey, privateKey: path },
          },
        }),
      ],
    }).compile();
    await moduleRef.init();
    await moduleRef
      .get(MailService)
      .sendMail('Hi', 'Body', 'sender@example.com', ['to@example.net']);
    await moduleRef.close();
    await sink.waitForMessages(before + 1);
    const { results } = await dkimVerify(sink.messages[before].raw, {
      resolver,
    });
    expect(results[0].status.result).toBe('pass');
  });
});
