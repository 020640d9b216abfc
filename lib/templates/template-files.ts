import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { MailTemplateError } from './mail-template.error.js';

/** The three files a template may have. */
export type TemplatePart = 'subject' | 'txt' | 'html';

/** One template file, parsed from its name: `<name>[.<locale>].<part>.<ext>`. */
export interface TemplateFile {
  /** Template name: the path under the directory, `/`-separated (`auth/welcome`). */
  name: string;
  /** Normalised locale (`'fr'`, `'pt-br'`), `''` for the unlocalised file. */
  locale: string;
  /** Which part of the mail the file renders. */
  part: TemplatePart;
  /** Extension, which chooses the engine. */
  ext: string;
  /** Absolute path. */
  file: string;
}

const FILE_NAME =
  /^([^.]+)(?:\.([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*))?\.(subject|txt|html)\.([A-Za-z0-9]+)$/;

/** `'pt_BR'` -> `'pt-br'`. */
export function normalizeLocale(locale: string): string {
  return locale.replace(/_/g, '-').toLowerCase();
}

/**
 * Lists the template files of `dir` (recursively, leaving out the partials
 * and layouts directories). A file with an engine's extension whose name does
 * not follow the convention is an error, so a typo never hides a template.
 */
export function findTemplateFiles(
  dir: string,
  skip: string[],
  extensions: Set<string>,
): TemplateFile[] {
  const found: TemplateFile[] = [];
  for (const file of listFiles(dir, skip)) {
    const base = file.slice(file.lastIndexOf(sep) + 1);
    if (base.startsWith('.')) continue;
    const ext = base.slice(base.lastIndexOf('.') + 1);
    const match = FILE_NAME.exec(base);
    if (!match) {
      if (extensions.has(ext))
        throw new MailTemplateError(
          'this name does not follow <name>[.<locale>].<subject|txt|html>.<ext>, e.g. welcome.html.hbs or welcome.fr.subject.hbs. ' +
            'Rename it, or move it to the partials or layouts directory.',
          file,
        );
      continue;
    }
    const [, stem, locale, part, extension] = match;
    if (!extensions.has(extension))
      throw new MailTemplateError(
        `no engine renders .${extension} files (known: ${[...extensions].join(', ')}). ` +
          'Add one with the `engines` option of MailTemplatesModule.',
        file,
      );
    const folder = relative(dir, file.slice(0, file.length - base.length));
    found.push({
      name: [...folder.split(sep).filter(Boolean), stem].join('/'),
      locale: locale ? normalizeLocale(locale) : '',
      part: part as TemplatePart,
      ext: extension,
      file,
    });
  }
  return found;
}

/** Files of one engine's extensions under `dir`, by name (`'emails/footer'` for `emails/footer.hbs`). */
export function findNamedFiles(
  dir: string,
  extensions: readonly string[],
): Map<string, string> {
  const named = new Map<string, string>();
  if (!existsSync(dir)) return named;
  for (const file of listFiles(dir, [])) {
    const rel = relative(dir, file).split(sep).join('/');
    const dot = rel.lastIndexOf('.');
    if (dot > 0 && extensions.includes(rel.slice(dot + 1)))
      named.set(rel.slice(0, dot), file);
  }
  return named;
}

function listFiles(dir: string, skip: string[]): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(path)) files.push(...listFiles(path, skip));
    } else if (entry.isFile() || statSync(path).isFile()) files.push(path);
  }
  return files.sort();
}
