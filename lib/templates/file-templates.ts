import { errorMessage } from './error-message.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { enginesByExtension } from './built-in-engines.js';
import { MailTemplateError } from './mail-template.error.js';
import type { MailTemplatesOptions } from './mail-templates-options.interface.js';
import { localeChain } from './locale-chain.js';
import { missingDirMessage } from './missing-dir.js';
import type {
  CompiledTemplate,
  TemplateEngine,
} from './template-engine.interface.js';
import {
  findNamedFiles,
  findTemplateFiles,
  type TemplateFile,
  type TemplatePart,
} from './template-files.js';

/** One compiled file. */
export interface CompiledFile {
  /** Fills the file with a context. */
  render: CompiledTemplate;
  /** Absolute path, for error messages. */
  file: string;
  /** The engine that compiled it (which reads its render errors). */
  engine: TemplateEngine;
}

/** The files of one template in one locale. */
export type FileVariant = Partial<Record<TemplatePart, CompiledFile>>;

/** A file template, compiled. */
export interface LoadedFileTemplate {
  /** The template's name (`'auth/reset'`). */
  name: string;
  /** By locale; `''` is the unlocalised variant. */
  variants: Map<string, FileVariant>;
  /** The layout wrapped around its HTML part, if any. */
  layout: CompiledFile | undefined;
  /** Whether its HTML gets its CSS inlined. */
  inlineCss: boolean;
}

/**
 * Finds and compiles every file template of `options.dir`, with its
 * partials and layouts, and checks that each locale of each template has a
 * subject and a body. Any problem throws a {@link MailTemplateError} naming the file.
 */
export async function loadFileTemplates(
  options: MailTemplatesOptions,
): Promise<Map<string, LoadedFileTemplate>> {
  const loaded = new Map<string, LoadedFileTemplate>();
  if (options.dir === undefined) return loaded;
  const dir = resolve(options.dir);
  if (!existsSync(dir)) throw new MailTemplateError(missingDirMessage(dir));
  const partialsDir = resolve(options.partialsDir ?? join(dir, 'partials'));
  const layoutsDir = resolve(options.layoutsDir ?? join(dir, 'layouts'));
  const mjmlFill = options.mjmlEngine ?? 'hbs';
  const engines = enginesByExtension(options.engines ?? [], mjmlFill);
  const files = findTemplateFiles(
    dir,
    [partialsDir, layoutsDir],
    new Set(engines.keys()),
  );

  const layoutFiles = findNamedFiles(layoutsDir, [...engines.keys()]);
  const layoutNames = new Set<string>();
  const layoutOf = (name: string): string | false =>
    options.settings?.[name]?.layout ?? options.layout ?? false;
  for (const { name } of files) {
    const layout = layoutOf(name);
    if (layout) layoutNames.add(layout);
  }
  for (const layout of layoutNames)
    if (!layoutFiles.has(layout))
      throw new MailTemplateError(
        `layout '${layout}' not found in ${layoutsDir}: add ${layout}.hbs (or another engine's extension) there, ` +
          `or change the \`layout\` option (found: ${[...layoutFiles.keys()].join(', ') || 'none'}).`,
      );

  const used = new Set<TemplateEngine>();
  const need = (ext: string): TemplateEngine => {
    const engine = engines.get(ext)!;
    used.add(engine);
    if (ext === 'mjml') used.add(engines.get(mjmlFill)!);
    return engine;
  };
  files.forEach((f) => need(f.ext));
  for (const layout of layoutNames) need(extOf(layoutFiles.get(layout)!));
  await initEngines(used, options, dir, partialsDir);

  const strict = options.strict ?? false;
  const compile = async (file: string, ext: string): Promise<CompiledFile> => {
    const engine = engines.get(ext)!;
    try {
      const render = await engine.compile(readFileSync(file, 'utf8'), file, {
        strict,
      });
      return { render, file, engine };
    } catch (err) {
      throw new MailTemplateError(
        `does not compile: ${errorMessage(err)}`,
        file,
        {
          cause: err,
        },
      );
    }
  };
  const layouts = new Map<string, CompiledFile>();
  for (const layout of layoutNames) {
    const file = layoutFiles.get(layout)!;
    layouts.set(layout, await compile(file, extOf(file)));
  }
  for (const file of files) {
    let template = loaded.get(file.name);
    if (!template) {
      const layout = layoutOf(file.name);
      template = {
        name: file.name,
        variants: new Map(),
        layout: layout ? layouts.get(layout) : undefined,
        inlineCss:
          options.settings?.[file.name]?.inlineCss ?? options.inlineCss ?? true,
      };
      loaded.set(file.name, template);
    }
    const variant = template.variants.get(file.locale) ?? {};
    template.variants.set(file.locale, variant);
    if (variant[file.part])
      throw new MailTemplateError(
        `two files for the ${file.part} of '${file.name}' (also ${variant[file.part]!.file}): keep one.`,
        file.file,
      );
    variant[file.part] = await compile(file.file, file.ext);
  }
  for (const template of loaded.values())
    checkComplete(template, dir, files, options.fallbackLocales ?? []);
  return loaded;
}

async function initEngines(
  used: Set<TemplateEngine>,
  options: MailTemplatesOptions,
  dir: string,
  partialsDir: string,
): Promise<void> {
  for (const engine of used) {
    const partials = new Map(
      [...findNamedFiles(partialsDir, engine.extensions)].map(
        ([name, file]) => [name, { file, source: readFileSync(file, 'utf8') }],
      ),
    );
    try {
      await engine.init?.({
        dir,
        partialsDir,
        partials,
        helpers: options.helpers ?? {},
        strict: options.strict ?? false,
      });
    } catch (err) {
      if (err instanceof MailTemplateError) throw err;
      const file = (err as { file?: string }).file;
      throw new MailTemplateError(errorMessage(err), file, { cause: err });
    }
  }
}

/** Each locale of the template resolves to a subject and a body. */
function checkComplete(
  template: LoadedFileTemplate,
  dir: string,
  files: TemplateFile[],
  fallbacks: string[],
): void {
  const some = files.find((f) => f.name === template.name)!;
  for (const locale of template.variants.keys()) {
    const chain = localeChain(locale, fallbacks).map((l) =>
      template.variants.get(l),
    );
    const suffix = locale ? `.${locale}` : '';
    if (!chain.some((v) => v?.subject))
      throw new MailTemplateError(
        `template '${template.name}'${locale ? ` (${locale})` : ''} has no subject: add ${join(dir, `${template.name}.subject.${some.ext}`)}.`,
      );
    if (!chain.some((v) => v?.html || v?.txt))
      throw new MailTemplateError(
        `template '${template.name}'${locale ? ` (${locale})` : ''} has no body: add ${join(dir, `${template.name}${suffix}.html.${some.ext}`)} or .txt.${some.ext}.`,
      );
  }
}

function extOf(file: string): string {
  return file.slice(file.lastIndexOf('.') + 1);
}
