import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages ESLint gives `code` as if it were the file at `path`. */
async function restricted(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {
    filePath: resolve(root, path),
  });
  return result.messages
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('dependency direction (eslint.config.js)', () => {
  it('refuses an add-on import in core', async () => {
    expect(
      await restricted(
        'lib/backends/probe.ts',
        "import { queue } from '../queue/index.js';\nexport const q = queue;\n",
      ),
    ).toEqual([expect.stringMatching(/Core must not import an add-on/)]);
    expect(
      await restricted(
        'lib/probe.ts',
        "import { renderMail } from './testing/rendered-mail.js';\nexport const r = renderMail;\n",
      ),
    ).toHaveLength(1);
  });

  it("refuses an add-on reaching into core's internals or another add-on", async () => {
    for (const from of [
      '../message/email-message.js',
      '../outbox/mail-outbox.js',
      '../testing/index.js',
      '../../lib/index.js',
    ]) {
      expect(
        await restricted(
          'lib/queue/probe.ts',
          `import * as x from '${from}';\nexport const y = x;\n`,
        ),
      ).toEqual([expect.stringMatching(/may import only core's public entry/)]);
    }
  });

  it("lets an add-on use core's public entry and the shared utilities", async () => {
    expect(
      await restricted(
        'lib/health/probe.ts',
        "import { MailerRegistry } from '../index.js';\nimport { importOptional } from '../utils/import-optional.js';\nexport const z = [MailerRegistry, importOptional];\n",
      ),
    ).toEqual([]);
  });
});
