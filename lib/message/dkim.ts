import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type * as MailauthSign from 'mailauth/lib/dkim/sign.js';
import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import { requireOptional } from '../utils/import-optional.js';

/** One DKIM signing key (several, in an array, sign with each: key rotation). */
export interface DkimOptions {
  /** The signing domain (`d=`), e.g. `'example.com'`. */
  domainName: string;
  /** The selector (`s=`): the public key is published at `<keySelector>._domainkey.<domainName>`. */
  keySelector: string;
  /**
   * The private key, RSA (2048 bits or more advised) or Ed25519: PEM text,
   * or the path of a PEM file. Read and parsed when the mailer is created.
   */
  privateKey: string | Buffer;
  /**
   * Headers to sign, colon-separated.
   * @default mailauth's list: From, Sender, Reply-To, Subject, Date, Message-ID, To, Cc, MIME-Version, Content-*, List-*, ...
   */
  headerFieldNames?: string;
  /**
   * Headers left out of the signature, colon-separated (e.g. `'Message-ID:Date'`
   * when a relay rewrites them).
   * @default undefined
   */
  skipFields?: string;
}

type DkimSign = typeof MailauthSign.dkimSign;

const INSTALL_MAILAUTH =
  'DKIM signing (the `dkim` option of a mailer) needs mailauth: npm install mailauth';

const DEFAULT_FIELDS =
  'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:' +
  'Content-Transfer-Encoding:Content-ID:Content-Description:Resent-Date:Resent-From:' +
  'Resent-Sender:Resent-To:Resent-Cc:Resent-Message-ID:In-Reply-To:References:List-Id:' +
  'List-Help:List-Unsubscribe:List-Unsubscribe-Post:List-Subscribe:List-Post:List-Owner:List-Archive';

interface SigningKey {
  signingDomain: string;
  selector: string;
  /** PKCS#8 PEM, as mailauth takes it. */
  privateKey: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
}

/**
 * Signs messages with DKIM, with mailauth's signer. Signing needs the body
 * hash before the first header can be sent, so a message is read twice:
 * once through the signer, which hashes it as it streams (nothing is
 * buffered, a big attachment included), and once to send, with the
 * `DKIM-Signature` header in front. `MimeMessage` gives the same rendered
 * segments to both reads when it sends with CRLF line ends (and renders of one
 * `MimeMessage` give the same bytes in any case), so the signature covers
 * exactly what is sent.
 */
export class DkimSigner {
  private readonly dkimSign: DkimSign;
  /** Keys grouped by signed header list (colon-separated): one pass over the message per group. */
  private readonly groups = new Map<string, SigningKey[]>();

  /** Reads and checks every key; throws {@link ImproperlyConfiguredError} saying what to change. */
  constructor(options: DkimOptions | DkimOptions[]) {
    const list = Array.isArray(options) ? options : [options];
    if (!list.length)
      throw new ImproperlyConfiguredError(
        'dkim: give at least one key, or leave the option out.',
      );
    this.dkimSign = requireOptional<typeof MailauthSign>(
      'mailauth/lib/dkim/sign',
      INSTALL_MAILAUTH,
    ).dkimSign;
    for (const entry of list) {
      const headerList = headerListOf(entry);
      const key = signingKey(entry);
      const group = this.groups.get(headerList);
      if (group) group.push(key);
      else this.groups.set(headerList, [key]);
    }
  }

  /**
   * The message with its `DKIM-Signature` header(s) in front.
   *
   * @param crlf a fresh stream of the message with CRLF line ends (what is signed); called once per key group
   * @param output a fresh stream of the message as it is to be sent (may be `crlf` itself); called once
   * @param linesep line ends of `output`
   */
  sign(
    crlf: () => Readable,
    output: () => Readable,
    linesep: '\n' | '\r\n',
  ): Readable {
    const signed = new PassThrough();
    this.headers(crlf).then(
      (header) => {
        signed.write(
          linesep === '\r\n' ? header : header.replace(/\r\n/g, '\n'),
        );
        const body = output();
        body.once('error', (err) => signed.destroy(err));
        body.pipe(signed);
      },
      (err: Error) => signed.destroy(err),
    );
    return signed;
  }

  /** The `DKIM-Signature` header lines, CRLF-terminated. */
  private async headers(crlf: () => Readable): Promise<string> {
    let header = '';
    for (const [headerList, keys] of this.groups) {
      const { signatures, errors } = await this.dkimSign(crlf(), {
        canonicalization: 'relaxed/relaxed',
        // mailauth reads a colon-separated string here, whatever its typings say.
        headerList,
        signatureData: keys,
      } as unknown as Parameters<DkimSign>[1]);
      const failed = (errors ?? []) as Array<{
        selector?: string;
        err?: Error;
      }>;
      if (failed.length)
        throw new Error(
          `DKIM signing failed for selector '${failed[0].selector}': ${failed[0].err?.message}`,
          { cause: failed[0].err },
        );
      header += signatures;
    }
    return header;
  }
}

/** The headers `entry` signs, colon-separated, `skipFields` left out. */
function headerListOf(entry: DkimOptions): string {
  const skip = new Set(
    (entry.skipFields ?? '')
      .split(':')
      .map((f) => f.trim().toLowerCase())
      .filter(Boolean),
  );
  return (entry.headerFieldNames ?? DEFAULT_FIELDS)
    .split(':')
    .map((f) => f.trim())
    .filter((f) => f && !skip.has(f.toLowerCase()))
    .join(':');
}

function signingKey(entry: DkimOptions): SigningKey {
  const where = `dkim key '${entry.keySelector}._domainkey.${entry.domainName}'`;
  if (!entry.domainName || !entry.keySelector)
    throw new ImproperlyConfiguredError(
      `${where}: domainName and keySelector are required (the public key is published at <keySelector>._domainkey.<domainName>).`,
    );
  let pem = entry.privateKey;
  if (typeof pem === 'string' && !pem.includes('-----BEGIN')) {
    try {
      pem = readFileSync(pem);
    } catch (err) {
      throw new ImproperlyConfiguredError(
        `${where}: privateKey is neither PEM text nor a readable file (${(err as Error).message}). ` +
          'Give the PEM text ("-----BEGIN PRIVATE KEY-----...") or the path of a PEM file.',
      );
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new ImproperlyConfiguredError(
      `${where}: privateKey could not be parsed as a PEM private key (${(err as Error).message}). ` +
        'Generate one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` or `openssl genpkey -algorithm ed25519`.',
    );
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519')
    throw new ImproperlyConfiguredError(
      `${where}: a ${key.asymmetricKeyType} key cannot sign DKIM; use an RSA or Ed25519 key.`,
    );
  return {
    signingDomain: entry.domainName,
    selector: entry.keySelector,
    privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm:
      key.asymmetricKeyType === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256',
  };
}
