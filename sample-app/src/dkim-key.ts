import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DkimOptions } from 'nestjs-mail';

/**
 * The sample's DKIM key: read from `file`, or generated there (RSA 2048,
 * readable by the owner only) on first start. Never commit it; in production
 * give the key through your secret store instead. Prints the DNS record that
 * publishes the public half.
 */
export function loadOrCreateDkimKey(
  file: string,
  domainName: string,
  keySelector: string,
  log: (line: string) => void = console.log,
): DkimOptions {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      { mode: 0o600 },
    );
    log(`Generated a DKIM key in ${file}.`);
  }
  return { domainName, keySelector, privateKey: readFileSync(file, 'utf8') };
}
