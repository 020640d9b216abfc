// Code blocks of README.md and docs/*.md, with where they are: shared by the
// docs checker (test/docs) and the consumer test (scripts/consumer-test.mjs).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** README.md and every docs/*.md, relative to `root`. */
export function docFiles(root) {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/**
 * Every fenced block of a Markdown file: its language, its flags (the words
 * after the language: `runnable`, `fragment`), the paths of an HTML comment
 * `<!-- tested as: a/x.ts, b/x.ts -->` on the last non-blank line before it, its code and
 * the line its code starts on (1-based).
 */
export function codeBlocks(file, text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    let previous = i - 1;
    while (previous >= 0 && lines[previous].trim() === '') previous--;
    const before = lines[previous] ?? '';
    const testedAs = /^\s*<!-- tested as: (.+?) -->\s*$/.exec(before);
    blocks.push({
      file,
      line: start + 1,
      lang: open[2],
      flags: open[3].trim().split(/\s+/).filter(Boolean),
      testedAs: testedAs ? testedAs[1].split(/,\s*/) : [],
      code: lines
        .slice(start, end)
        .map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)[0].length)))
        .join('\n'),
    });
    i = end;
  }
  return blocks;
}

/** The blocks of README.md and docs/*.md. */
export function allCodeBlocks(root) {
  return docFiles(root).flatMap((file) =>
    codeBlocks(file, readFileSync(join(root, file), 'utf8')),
  );
}
