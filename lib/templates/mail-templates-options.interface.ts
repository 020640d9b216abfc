import type { FunctionTemplate } from './define-template.js';
import type { TemplateEngine } from './template-engine.interface.js';

/** Settings of one file template, by name, in the module's `settings`. */
export interface FileTemplateSettings {
  /**
   * Inline the CSS of `<style>` elements into `style` attributes.
   * @default the module's `inlineCss`
   */
  inlineCss?: boolean;
  /**
   * Layout wrapped around the HTML part (a file of `layoutsDir`), or `false` for none.
   * @default the module's `layout`
   */
  layout?: string | false;
}

/**
 * Options of `MailTemplatesModule.forRoot()`.
 *
 * @example
 * MailTemplatesModule.forRoot({
 *   dir: join(import.meta.dirname, 'templates'),
 *   layout: 'main',
 *   helpers: { upper: (s: string) => s.toUpperCase() },
 *   strict: true,
 * })
 */
export interface MailTemplatesOptions {
  /**
   * Directory of file templates (absolute). A template is up to three files:
   * `welcome.subject.hbs`, `welcome.txt.hbs`, `welcome.html.hbs` (subject
   * required, text derived from the HTML when missing); localised ones add the
   * locale: `welcome.fr.html.hbs`. Every file is compiled at startup.
   * @default undefined (function templates only)
   */
  dir?: string;
  /**
   * Partials: `partials/footer.hbs` is `{{> footer}}`.
   * @default `${dir}/partials`
   */
  partialsDir?: string;
  /**
   * Layouts: `layouts/main.hbs` wraps the HTML part, which it places with `{{{body}}}`.
   * @default `${dir}/layouts`
   */
  layoutsDir?: string;
  /**
   * Layout for every HTML part, or `false` for none (per template: `settings`).
   * @default false
   */
  layout?: string | false;
  /**
   * Handlebars helpers (Liquid filters), by name.
   * @default {}
   * @example { money: (cents: number) => (cents / 100).toFixed(2) }
   */
  helpers?: Record<string, (...args: never[]) => unknown>;
  /**
   * Engines besides the built-in ones (Handlebars, EJS, Pug, Liquid, MJML),
   * chosen by file extension; one for a built-in extension replaces it.
   * @default []
   */
  engines?: TemplateEngine[];
  /**
   * Extension of the engine that fills MJML files once they are compiled to HTML.
   * @default 'hbs'
   */
  mjmlEngine?: string;
  /**
   * Inline the CSS of `<style>` elements into `style` attributes (with
   * `@css-inline/css-inline`); `@media` rules stay in a `<style>` element.
   * @default true
   */
  inlineCss?: boolean;
  /**
   * A context variable that a template uses and the context lacks is an
   * error at render time, naming the template and the variable (Handlebars,
   * Liquid, EJS). Off, it renders as empty.
   * @default false
   */
  strict?: boolean;
  /**
   * Locales tried, in order, after the requested one (and its language:
   * `fr-CA` tries `fr`), before the unlocalised files.
   * @default []
   * @example ['en']
   */
  fallbackLocales?: string[];
  /**
   * Templates written as code ({@link mailTemplate}, {@link reactTemplate}).
   * @default []
   */
  templates?: FunctionTemplate<never>[];
  /**
   * Settings of file templates by name.
   * @default {}
   * @example { newsletter: { inlineCss: false, layout: false } }
   */
  settings?: Record<string, FileTemplateSettings>;
  /**
   * Line width of text bodies derived from HTML (0: no wrapping).
   * @default 78
   */
  textWordwrap?: number;
}
