import type * as PugModule from 'pug';
import { importEngine } from './engine-support.js';
import type {
  CompiledTemplate,
  EngineSetup,
  TemplateEngine,
} from './template-engine.interface.js';

/**
 * Pug (`.pug`). `include` and `extends` resolve from the including file, and
 * absolute ones (`include /partials/footer`) from the template directory;
 * both are read when the template compiles, so a missing one stops startup.
 */
export class PugEngine implements TemplateEngine {
  readonly extensions = ['pug'] as const;
  private pug!: typeof PugModule;
  private dir = '';

  async init(setup: EngineSetup): Promise<void> {
    const mod = await importEngine<{ default: typeof PugModule }>(
      'pug',
      'Pug',
      'pug',
      () => import('pug'),
    );
    this.pug = mod.default;
    this.dir = setup.dir;
  }

  compile(source: string, file: string): CompiledTemplate {
    const template = this.pug.compile(source, {
      filename: file,
      basedir: this.dir,
    });
    return (context) => template(context);
  }
}
