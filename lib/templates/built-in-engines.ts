import type { TemplateEngine } from './template-engine.interface.js';
import { EjsEngine } from './ejs.engine.js';
import { HandlebarsEngine } from './handlebars.engine.js';
import { LiquidEngine } from './liquid.engine.js';
import { MjmlEngine } from './mjml.engine.js';
import { PugEngine } from './pug.engine.js';

/**
 * The engines of one module by extension: the built-in ones, replaced or
 * extended by `custom`; MJML output is filled by the engine of `mjmlFill`.
 */
export function enginesByExtension(
  custom: readonly TemplateEngine[],
  mjmlFill: string,
): Map<string, TemplateEngine> {
  const byExt = new Map<string, TemplateEngine>();
  const add = (engine: TemplateEngine): void => {
    for (const ext of engine.extensions) byExt.set(ext, engine);
  };
  [
    new HandlebarsEngine(),
    new EjsEngine(),
    new PugEngine(),
    new LiquidEngine(),
  ].forEach(add);
  custom.forEach(add);
  const fill = byExt.get(mjmlFill);
  if (fill && !custom.some((e) => e.extensions.includes('mjml')))
    add(new MjmlEngine(fill));
  return byExt;
}
