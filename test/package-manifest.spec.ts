import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The package a bare import specifier names: `@scope/name` or `name`. */
function packageOf(specifier: string): string | undefined {
  if (
    specifier.startsWith('.') ||
    specifier.startsWith('node:') ||
    builtinModules.includes(specifier)
  ) {
    return undefined;
  }
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('package.json', () => {
  it('declares every package that lib/ imports as a dependency or peer', () => {
    const declared = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const importPattern =
      /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
    const undeclared: string[] = [];
    for (const file of sourceFiles(join(root, 'lib'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(importPattern)) {
        const name = packageOf(match[1] ?? match[2]);
        if (name && !declared.has(name))
          undeclared.push(`${name} (in ${file.slice(root.length + 1)})`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('finds imports at all (the scan is not vacuous)', () => {
    const all = sourceFiles(join(root, 'lib'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(all).toMatch(/from 'nodemailer\/lib\/mime-funcs'/);
  });

  it('is an ESM package with an exports map, dist-only files and explicit peer majors', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
    expect(manifest.exports['./testing']).toEqual({
      types: './dist/testing/index.d.ts',
      default: './dist/testing/index.js',
    });
    expect(manifest.exports['./templates']).toEqual({
      types: './dist/templates/index.d.ts',
      default: './dist/templates/index.js',
    });
    expect(manifest.exports['./package.json']).toBe('./package.json');
    expect(manifest.files).toEqual(['dist']);
    expect(manifest.engines.node).toBe('>=20.19');
    for (const peer of ['@nestjs/common', '@nestjs/core']) {
      expect(manifest.peerDependencies[peer]).toBe('^11.0.0 || ^12.0.0');
    }
    // Pinned to a minor: the SMTP session is built on nodemailer's SMTPConnection.
    expect(manifest.dependencies.nodemailer).toMatch(/^~10\.6\.\d+$/);
  });
});
