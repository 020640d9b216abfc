import type { Liquid } from 'liquidjs';
import { errorGroup, importEngine } from './engine-support.js';
import type {
  CompiledTemplate,
  EngineSetup,
  TemplateEngine,
} from './template-engine.interface.js';

/**
 * Liquid (`.liquid`, via liquidjs). `{% render 'footer' %}` and
 * `{% include 'footer' %}` find `partials/footer.liquid`; the module's
 * `helpers` become filters. In strict mode an undefined variable is an error.
 */
export class LiquidEngine implements TemplateEngine {
  readonly extensions = ['liquid'] as const;
  private liquid!: Liquid;

  async init(setup: EngineSetup): Promise<void> {
    const mod = await importEngine(
      'liquid',
      'liquidjs',
      'liquidjs',
      () => import('liquidjs'),
    );
    this.liquid = new mod.Liquid({
      root: [setup.dir],
      partials: [setup.partialsDir],
      extname: '.liquid',
      strictVariables: setup.strict,
      strictFilters: true,
    });
    for (const [name, helper] of Object.entries(setup.helpers))
      this.liquid.registerFilter(
        name,
        helper as (...args: unknown[]) => unknown,
      );
  }

  compile(source: string, file: string): CompiledTemplate {
    const template = this.liquid.parse(source, file);
    return (context) => this.liquid.render(template, context);
  }

  missingVariable(error: unknown): string | undefined {
    return errorGroup(error, /undefined variable: ([\w.]+)/);
  }
}
