import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { DocBlock } from '../../scripts/doc-blocks.mjs';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Whether the docs checker compiles a block: TypeScript, not a fragment, not a consumer file. */
export function isChecked(block: DocBlock): boolean {
  return (
    (block.lang === 'ts' || block.lang === 'typescript') &&
    !block.flags.includes('fragment') &&
    block.testedAs.length === 0
  );
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  skipLibCheck: true,
  noEmit: true,
};

/** A temp app whose node_modules is the repository's: `nestjs-mail` is the repo, resolved through its exports map to dist/. */
export interface DocsWorkspace {
  dir: string;
  /** Writes each block as a module; returns the file of each. */
  write(blocks: DocBlock[]): string[];
  remove(): void;
}

/** Makes a {@link DocsWorkspace} in the OS temp dir. */
export function docsWorkspace(): DocsWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-mail-docs-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  return {
    dir,
    write: (blocks) =>
      blocks.map((block, index) => {
        const file = join(dir, `block-${index}.ts`);
        // `export {}` makes every block a module, so top-level await is allowed.
        writeFileSync(file, `${block.code}\nexport {};\n`);
        return file;
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Type-checks the blocks against the built package, one module per block.
 * Returns one line per error: `docs/x.md:LINE: TS2304: Cannot find name 'mail'.`
 */
export function typeCheckBlocks(blocks: DocBlock[]): string[] {
  const workspace = docsWorkspace();
  try {
    const files = workspace.write(blocks);
    const program = ts.createProgram(files, OPTIONS);
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const text = ts.flattenDiagnosticMessageText(
        diagnostic.messageText,
        '\n',
      );
      const index = diagnostic.file
        ? files.indexOf(diagnostic.file.fileName)
        : -1;
      if (index < 0 || diagnostic.start === undefined) {
        return `(no block): TS${diagnostic.code}: ${text}`;
      }
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(
        diagnostic.start,
      );
      const block = blocks[index];
      return `${block.file}:${block.line + line}: TS${diagnostic.code}: ${text}`;
    });
  } finally {
    workspace.remove();
  }
}

/**
 * Compiles one block to JavaScript and runs it with Node against the built
 * package; rejects with the block's file and line and what Node printed.
 */
export async function runBlock(block: DocBlock): Promise<string> {
  const workspace = docsWorkspace();
  try {
    const { outputText } = ts.transpileModule(`${block.code}\nexport {};\n`, {
      compilerOptions: {
        ...OPTIONS,
        module: ts.ModuleKind.ESNext,
        noEmit: false,
      },
    });
    const file = join(workspace.dir, 'block.mjs');
    writeFileSync(file, outputText);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        cwd: workspace.dir,
        timeout: 60_000,
      });
      return stdout;
    } catch (err) {
      const { stderr, message } = err as Error & { stderr?: string };
      throw new Error(
        `${block.file}:${block.line}: the runnable block failed:\n${stderr || message}`,
      );
    }
  } finally {
    workspace.remove();
  }
}
