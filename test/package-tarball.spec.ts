import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The files `npm pack` puts in the tarball (dist/ must be built: pretest does it). */
function packedFiles(): string[] {
  const json = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return (JSON.parse(json)[0].files as { path: string }[]).map((f) => f.path);
}

describe('the packed tarball', () => {
  const files = packedFiles();

  it('ships LICENSE (MIT, as package.json says)', () => {
    expect(files).toContain('LICENSE');
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 nestjs-mail contributors/,
    );
  });

  it('ships source maps that carry their sources (lib/ is not shipped)', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    expect(files.some((f) => f.startsWith('lib/'))).toBe(false);
    const broken = maps.filter((path) => {
      const map = JSON.parse(readFileSync(join(root, path), 'utf8'));
      return (
        !Array.isArray(map.sourcesContent) ||
        map.sourcesContent.length !== map.sources.length ||
        map.sourcesContent.some((s: unknown) => typeof s !== 'string')
      );
    });
    expect(broken).toEqual([]);
  });

  it("maps every subpath export's types for legacy moduleResolution 'node' (typesVersions)", () => {
    const paths: Record<string, string[]> = manifest.typesVersions['*'];
    const mapped = (subpath: string): string | undefined => {
      const key = Object.keys(paths)
        .filter((k) => subpath.startsWith(k.replace('*', '')))
        .sort((a, b) => b.length - a.length)[0];
      return key && paths[key][0].replace('*', subpath.slice(key.indexOf('*')));
    };
    const subpaths = Object.keys(manifest.exports).filter(
      (k) => k !== '.' && k !== './package.json',
    );
    expect(subpaths).toContain('./testing');
    for (const subpath of subpaths) {
      const types = manifest.exports[subpath].types.replace(/^\.\//, '');
      expect(mapped(subpath.slice(2))).toBe(types);
      expect(existsSync(join(root, types))).toBe(true);
    }
    // The main entry's own types path must map to itself, not into a subfolder.
    expect(mapped(manifest.types.replace(/^\.\//, ''))).toBe('dist/index.d.ts');
  });
});
