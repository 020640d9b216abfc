import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { TLSSocket } from 'node:tls';
import type { SMTPServerOptions } from 'smtp-server';
import {
  SmtpEmailBackend,
  type SmtpEmailBackendOptions,
} from '../../lib/backends/smtp.backend.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import {
  createTestCertificate,
  startSmtpSink,
  type SmtpSink,
  type TestCertificate,
} from '../support/smtp-sink.js';

const mail = () =>
  new EmailMessage('Secure', 'Body', 'from@example.com', ['to@example.com']);

describe('SmtpEmailBackend over TLS and with AUTH', () => {
  let cert: TestCertificate;
  let sink: SmtpSink | undefined;
  let backend: SmtpEmailBackend | undefined;
  let mailFromSeen: number;
  let auths: Array<{ method: string; username?: string; secure: boolean }>;

  beforeAll(async () => {
    cert = await createTestCertificate();
  });
  afterAll(() => cert.remove());
  afterEach(async () => {
    await backend?.close();
    await sink?.close();
    backend = sink = undefined;
  });

  async function start(options: SMTPServerOptions = {}) {
    mailFromSeen = 0;
    auths = [];
    sink = await startSmtpSink({
      key: cert.key,
      cert: cert.cert,
      onMailFrom(_address, _session, callback) {
        mailFromSeen++;
        callback();
      },
      onAuth(auth, session, callback) {
        auths.push({
          method: auth.method,
          username: auth.username,
          secure: session.secure,
        });
        if (auth.username === 'bob' && auth.password === 'p@ss wörd') {
          return callback(null, { user: 'bob' });
        }
        callback(new Error('Invalid username or password'));
      },
      ...options,
    });
    return sink;
  }
  const connect = (options: SmtpEmailBackendOptions) =>
    (backend = new SmtpEmailBackend({
      host: sink!.host,
      port: sink!.port,
      timeout: 5,
      ...options,
    }));

  it('upgrades with STARTTLS to a certificate trusted through sslCafile', async () => {
    await start();
    connect({ useTls: true, sslCafile: cert.certPath });
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(sink!.messages[0].parsed.subject).toBe('Secure');
  });

  it('verifies the certificate by default', async () => {
    await start();
    connect({ useTls: true });
    await expect(backend!.sendMessages([mail()])).rejects.toThrow(
      /self[- ]signed/i,
    );
    expect(mailFromSeen).toBe(0);

    connect({ useTls: true, failSilently: true });
    expect(await backend!.sendMessages([mail()])).toBe(0);
    expect(mailFromSeen).toBe(0);
  });

  it('does not try STARTTLS when neither TLS option is set (Django parity)', async () => {
    let secured = false;
    await start({
      onSecure(_socket, _session, callback) {
        secured = true;
        callback();
      },
    });
    connect({});
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(secured).toBe(false);
  });

  it.each<[string, SMTPServerOptions]>([
    ['refuses the STARTTLS command', { disabledCommands: ['STARTTLS'] }],
    ['hides STARTTLS', { hideSTARTTLS: true }],
  ])(
    'with useTls fails, sending nothing in plain text, when the server %s',
    async (_, options) => {
      await start(options);
      connect({
        useTls: true,
        username: 'bob',
        password: 'p@ss wörd',
        ...(options.hideSTARTTLS ? {} : { sslCafile: cert.certPath }),
      });
      // nodemailer sends STARTTLS even when it is not advertised; the server
      // refuses it (ETLS) or answers with a certificate we do not trust.
      await expect(backend!.open()).rejects.toThrow(/STARTTLS|self[- ]signed/i);
      await expect(backend!.sendMessages([mail()])).rejects.toThrow();
      expect(mailFromSeen).toBe(0);
      expect(auths).toEqual([]);
      expect(sink!.messages).toHaveLength(0);
    },
  );

  it('speaks implicit TLS with useSsl', async () => {
    await start({ secure: true });
    connect({ useSsl: true, sslCafile: cert.certPath });
    expect(await backend!.sendMessages([mail()])).toBe(1);

    connect({ useSsl: true });
    await expect(backend!.open()).rejects.toThrow(/self[- ]signed/i);
  });

  it('presents a client certificate from sslCertfile and sslKeyfile', async () => {
    let peerSubject: string | undefined;
    await start({
      requestCert: true,
      rejectUnauthorized: false,
      onSecure(socket, _session, callback) {
        const { CN } = (socket as TLSSocket).getPeerCertificate().subject ?? {};
        peerSubject = String(CN);
        callback();
      },
    });
    connect({
      useTls: true,
      sslCafile: cert.certPath,
      sslCertfile: cert.certPath,
      sslKeyfile: cert.keyPath,
    });
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(peerSubject).toBe('localhost');
  });

  it.each(['PLAIN', 'LOGIN'])('logs in with AUTH %s', async (method) => {
    await start({ authMethods: [method], authOptional: false });
    connect({
      useTls: true,
      sslCafile: cert.certPath,
      username: 'bob',
      password: 'p@ss wörd',
    });
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(auths).toEqual([{ method, username: 'bob', secure: true }]);
  });

  it('logs in over plain text only when the server allows it', async () => {
    await start({ allowInsecureAuth: true, authOptional: false });
    connect({ username: 'bob', password: 'p@ss wörd' });
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(auths).toMatchObject([{ secure: false }]);
  });

  it('does not log in unless both username and password are set', async () => {
    await start({ allowInsecureAuth: true });
    connect({ username: 'bob' });
    expect(await backend!.sendMessages([mail()])).toBe(1);
    expect(auths).toEqual([]);
  });

  it('fails on a wrong password, or returns 0 when failing silently', async () => {
    await start({ authOptional: false });
    connect({
      useTls: true,
      sslCafile: cert.certPath,
      username: 'bob',
      password: 'wrong',
    });
    await expect(backend!.open()).rejects.toMatchObject({
      code: 'EAUTH',
      responseCode: 535,
    });
    await expect(backend!.sendMessages([mail()])).rejects.toMatchObject({
      code: 'EAUTH',
    });

    connect({
      useTls: true,
      sslCafile: cert.certPath,
      username: 'bob',
      password: 'wrong',
      failSilently: true,
    });
    expect(await backend!.open()).toBeUndefined();
    expect(await backend!.sendMessages([mail()])).toBe(0);
    expect(mailFromSeen).toBe(0);
  });

  it('reports a missing CA file as an error while opening', async () => {
    await start();
    connect({ useTls: true, sslCafile: '/nonexistent/ca.pem' });
    await expect(backend!.open()).rejects.toMatchObject({ code: 'ENOENT' });
    connect({
      useTls: true,
      sslCafile: '/nonexistent/ca.pem',
      failSilently: true,
    });
    expect(await backend!.sendMessages([mail()])).toBe(0);
  });
});
