import { sep } from 'node:path';

/**
 * The message for a template directory that does not exist. Under `dist/`
 * the usual cause is the Nest CLI, which copies only compiled code: it needs
 * an `assets` entry, whose `include` is relative to `sourceRoot`.
 */
export function missingDirMessage(dir: string): string {
  const text = `The mail template directory ${dir} does not exist.`;
  const at = dir.split(sep).lastIndexOf('dist');
  if (at < 0)
    return `${text} Check the \`dir\` option of MailTemplatesModule (use an absolute path, e.g. join(import.meta.dirname, 'templates')).`;
  const below = dir
    .split(sep)
    .slice(at + 1)
    .join('/');
  const include = below ? `${below}/**/*` : '**/*';
  return (
    `${text} The Nest CLI copies only compiled code to dist/: add the templates as assets in nest-cli.json, ` +
    `with "include" relative to "sourceRoot" (usually "src"): ` +
    `"compilerOptions": { "assets": [{ "include": "${include}", "watchAssets": true }] }. ` +
    'Without the Nest CLI, copy the directory in your build step.'
  );
}
