import type EjsModule from 'ejs';
import { errorGroup, importEngine } from './engine-support.js';
import type {
  CompiledTemplate,
  EngineSetup,
  TemplateEngine,
} from './template-engine.interface.js';

/**
 * EJS (`.ejs`). Includes resolve from the including file
 * (`<%- include('partials/footer') %>`) and from the template directory.
 * EJS reads variables with `with (locals)`, so a missing one is always an
 * error naming it, strict mode or not.
 */
export class EjsEngine implements TemplateEngine {
  readonly extensions = ['ejs'] as const;
  private ejs!: typeof EjsModule;
  private dir = '';

  async init(setup: EngineSetup): Promise<void> {
    const mod = await importEngine('ejs', 'EJS', 'ejs', () => import('ejs'));
    this.ejs = mod.default;
    this.dir = setup.dir;
  }

  compile(source: string, file: string): CompiledTemplate {
    const template = this.ejs.compile(source, {
      filename: file,
      root: this.dir,
      views: [this.dir],
    });
    return (context) => template(context);
  }

  missingVariable(error: unknown): string | undefined {
    return errorGroup(error, /(\w+) is not defined/);
  }
}
