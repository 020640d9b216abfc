import { importEngine } from './engine-support.js';
import type {
  CompiledTemplate,
  CompileOptions,
  TemplateEngine,
} from './template-engine.interface.js';

type Mjml2Html = (
  mjml: string,
  options?: { filePath?: string; validationLevel?: 'strict' | 'soft' | 'skip' },
) => Promise<{ html: string; errors: Array<{ formattedMessage: string }> }>;

/**
 * MJML (`welcome.html.mjml`): compiled to HTML once, at startup (strict
 * validation: an MJML error stops the app), then filled at each render by
 * another engine, Handlebars by default (`{{name}}` inside the MJML).
 */
export class MjmlEngine implements TemplateEngine {
  readonly extensions = ['mjml'] as const;
  private mjml2html!: Mjml2Html;

  /** @param fill the engine that fills the compiled HTML. */
  constructor(private readonly fill: TemplateEngine) {}

  async init(): Promise<void> {
    const mod = await importEngine(
      'mjml',
      'MJML',
      'mjml',
      () => import('mjml') as unknown as Promise<{ default: Mjml2Html }>,
    );
    this.mjml2html = mod.default;
  }

  async compile(
    source: string,
    file: string,
    options: CompileOptions,
  ): Promise<CompiledTemplate> {
    const { html } = await this.mjml2html(source, {
      filePath: file,
      validationLevel: 'strict',
    });
    return this.fill.compile(html, file, options);
  }

  missingVariable(error: unknown): string | undefined {
    return this.fill.missingVariable?.(error);
  }
}
