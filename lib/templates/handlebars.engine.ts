import type HandlebarsNamespace from 'handlebars';
import { errorGroup, importEngine } from './engine-support.js';
import { MailTemplateError } from './mail-template.error.js';
import type {
  CompiledTemplate,
  CompileOptions,
  EngineSetup,
  TemplateEngine,
} from './template-engine.interface.js';

type Handlebars = typeof HandlebarsNamespace;
type Node = { type?: string; [key: string]: unknown };

/** Helpers every Handlebars environment has. */
const BUILT_IN_HELPERS = new Set([
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'blockHelperMissing',
  'helperMissing',
]);

/**
 * Handlebars (`.hbs`, `.handlebars`), in an environment of its own:
 * partials from the partials directory (`{{> footer}}` for
 * `partials/footer.hbs`), the module's `helpers`. Every template and partial
 * is parsed at startup, and a partial or helper it names that does not exist
 * is an error then, not at send time.
 */
export class HandlebarsEngine implements TemplateEngine {
  readonly extensions = ['hbs', 'handlebars'] as const;
  private hbs!: Handlebars;
  private helperNames = new Set<string>(BUILT_IN_HELPERS);
  private partialNames = new Set<string>();

  async init(setup: EngineSetup): Promise<void> {
    const mod = await importEngine<{ default: Handlebars }>(
      'hbs',
      'Handlebars',
      'handlebars',
      () => import('handlebars'),
    );
    this.hbs = mod.default.create();
    for (const [name, helper] of Object.entries(setup.helpers)) {
      this.hbs.registerHelper(
        name,
        helper as HandlebarsNamespace.HelperDelegate,
      );
      this.helperNames.add(name);
    }
    for (const name of setup.partials.keys()) this.partialNames.add(name);
    for (const [name, { file, source }] of setup.partials) {
      let ast: ReturnType<Handlebars['parse']>;
      try {
        ast = this.parse(source);
      } catch (err) {
        throw new MailTemplateError(
          `does not compile: ${(err as Error).message}`,
          file,
          { cause: err },
        );
      }
      this.hbs.registerPartial(
        name,
        this.hbs.compile(ast, { strict: setup.strict }),
      );
    }
  }

  compile(
    source: string,
    file: string,
    options: CompileOptions,
  ): CompiledTemplate {
    const template = this.hbs.compile(this.parse(source), {
      strict: options.strict,
    });
    return (context) => template(context);
  }

  missingVariable(error: unknown): string | undefined {
    return errorGroup(error, /^"([^"]+)" not defined in/);
  }

  /** Parses, then checks that every partial and helper it names exists. */
  private parse(source: string): ReturnType<Handlebars['parse']> {
    const ast = this.hbs.parse(source);
    const inline = new Set<string>();
    const used: Array<{
      kind: 'partial' | 'helper';
      name: string;
      line: number;
    }> = [];
    walk(ast as unknown as Node, (node) => {
      const line =
        (node.loc as { start?: { line: number } } | undefined)?.start?.line ??
        0;
      if (node.type === 'DecoratorBlock' && pathName(node.path) === 'inline') {
        const first = (node.params as Node[])[0];
        if (first?.type === 'StringLiteral') inline.add(String(first.value));
      } else if (node.type === 'PartialStatement') {
        const name = pathName(node.name);
        if (name && !name.startsWith('@'))
          used.push({ kind: 'partial', name, line });
      } else if (
        node.type === 'MustacheStatement' ||
        node.type === 'BlockStatement' ||
        node.type === 'SubExpression'
      ) {
        const name = pathName(node.path);
        const hasArgs =
          (node.params as unknown[]).length > 0 || node.hash !== undefined;
        if (
          name &&
          (hasArgs || node.type === 'SubExpression') &&
          isSimple(node.path)
        )
          used.push({ kind: 'helper', name, line });
      }
    });
    for (const { kind, name, line } of used) {
      if (
        kind === 'partial' &&
        !this.partialNames.has(name) &&
        !inline.has(name)
      )
        throw new Error(
          `line ${line}: partial '${name}' is not registered. Add partials/${name}.hbs to the template directory` +
            (this.partialNames.size
              ? ` (registered: ${[...this.partialNames].join(', ')})`
              : ''),
        );
      if (kind === 'helper' && !this.helperNames.has(name))
        throw new Error(
          `line ${line}: helper '${name}' is not registered. Add it to the \`helpers\` option of MailTemplatesModule.`,
        );
    }
    return ast;
  }
}

function pathName(path: unknown): string | undefined {
  const node = path as Node | undefined;
  return node?.type === 'PathExpression' ? String(node.original) : undefined;
}

/** A plain name (`foo`), not a path (`foo.bar`), `this` or a data variable. */
function isSimple(path: unknown): boolean {
  const node = path as { parts?: string[]; data?: boolean; original?: string };
  return (
    !node.data &&
    node.parts?.length === 1 &&
    !String(node.original).startsWith('this') &&
    !String(node.original).startsWith('.')
  );
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (typeof n.type === 'string') visit(n);
  for (const [key, value] of Object.entries(n))
    if (key !== 'loc' && value && typeof value === 'object') walk(value, visit);
}
