import type EjsModule from 'ejs';
import { importOptional } from '../utils/import-optional.js';
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
    const mod = await importOptional(
      () => import('ejs'),
      'Templates ending in .ejs need EJS: npm install ejs',
    );
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
    const text = error instanceof Error ? error.message : '';
    return /(\w+) is not defined/.exec(text)?.[1];
  }
}
