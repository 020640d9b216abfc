import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  allCodeBlocks,
  codeBlocks,
  docFiles,
} from '../../scripts/doc-blocks.mjs';
import type { DocBlock } from '../../scripts/doc-blocks.mjs';
import {
  isChecked,
  ROOT,
  runBlock,
  typeCheckBlocks,
} from './check-doc-blocks.js';

const blocks = allCodeBlocks(ROOT);
const checked = blocks.filter(isChecked);
const runnable = checked.filter((block) => block.flags.includes('runnable'));

describe('the TypeScript blocks of README.md and docs/*.md', () => {
  it('are there to check, against a built package', () => {
    expect(existsSync(join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
    expect(checked.length).toBeGreaterThan(10);
    expect(runnable.length).toBeGreaterThan(0);
  });

  it('type-check against the built package (errors name the file and line)', () => {
    expect(typeCheckBlocks(checked)).toEqual([]);
  }, 120_000);

  it.each(runnable.map((block) => [`${block.file}:${block.line}`, block]))(
    'runnable block %s runs',
    async (_where, block) => {
      await expect(runBlock(block as DocBlock)).resolves.toEqual(
        expect.any(String),
      );
    },
    60_000,
  );

  it('fragments are rare', () => {
    const fragments = blocks.filter((b) => b.flags.includes('fragment'));
    expect(fragments.length).toBeLessThanOrEqual(3);
  });
});

describe('the docs checker', () => {
  const stale = codeBlocks(
    'docs/example.md',
    [
      '# Example',
      '',
      '```ts',
      "import { MailService } from 'nestjs-mail';",
      'declare const mail: MailService;',
      "await mail.sendMial('Hi', 'Body', null, ['a@example.com']);",
      '```',
      '',
      '```ts runnable',
      "import { EmailMessage } from 'nestjs-mail';",
      "new EmailMessage('Hi\\nBcc: x@example.com', 'Body', 'from@example.com', ['to@example.com']).message();",
      '```',
    ].join('\n'),
  );

  it('fails a stale example with its file and line', () => {
    const errors = typeCheckBlocks([stale[0]]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^docs\/example\.md:6: TS2551: Property 'sendMial' does not exist on type 'MailService'/,
    );
  }, 120_000);

  it('fails a runnable block that throws, with its file and line', async () => {
    await expect(runBlock(stale[1])).rejects.toThrow(
      /^docs\/example\.md:10: the runnable block failed:\n[\s\S]*BadHeaderError/,
    );
  }, 60_000);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

describe('the links of README.md and docs/*.md', () => {
  it('point at files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of docFiles(ROOT)) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const prose = text.replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const linked = path
          ? join(dirname(join(ROOT, file)), path)
          : join(ROOT, file);
        if (!existsSync(linked)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (!anchor || !linked.endsWith('.md')) continue;
        const headings = [
          ...readFileSync(linked, 'utf8').matchAll(/^#+ (.+)$/gm),
        ];
        if (!headings.some(([, heading]) => slug(heading) === anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
