/** A compiled template: fills it with a context. */
export type CompiledTemplate = (context: object) => string | Promise<string>;

/** A file of the template directory, as handed to an engine. */
export interface TemplateSource {
  /** Absolute path. */
  file: string;
  /** The file's text. */
  source: string;
}

/** What an engine learns about the template directory when the module starts. */
export interface EngineSetup {
  /** The template directory (absolute). */
  dir: string;
  /** The partials directory (absolute), whether it exists or not. */
  partialsDir: string;
  /** Partials of this engine's extensions, by name (path under `partialsDir` without extension). */
  partials: Map<string, TemplateSource>;
  /** The `helpers` option of the module. */
  helpers: Record<string, (...args: never[]) => unknown>;
  /** The `strict` option of the module. */
  strict: boolean;
}

/** Options of one {@link TemplateEngine.compile} call. */
export interface CompileOptions {
  /** A variable missing from the context is an error (where the engine can tell). */
  strict: boolean;
}

/**
 * A template language. Built-in: Handlebars (`hbs`, `handlebars`), EJS
 * (`ejs`), Pug (`pug`), Liquid (`liquid`); MJML (`mjml`) is compiled to HTML
 * once and then filled by another engine. Add your own with the module's
 * `engines` option.
 *
 * @example
 * const upper: TemplateEngine = {
 *   extensions: ['up'],
 *   compile: (source) => (context) => source.replace(/\$(\w+)/g, (_, k) => String((context as Record<string, unknown>)[k]).toUpperCase()),
 * };
 */
export interface TemplateEngine {
  /** File extensions (without the dot) this engine renders, e.g. `['hbs', 'handlebars']`. */
  readonly extensions: readonly string[];
  /**
   * Called once when the module starts, before any `compile`: load the
   * engine's package and register partials and helpers. Throw to stop the
   * application (e.g. with the install command).
   */
  init?(setup: EngineSetup): Promise<void>;
  /**
   * Compiles one file. Throw on a syntax error, a missing partial or helper
   * (the module adds the file's name to the message). Called once per file;
   * the result is cached for the life of the module.
   */
  compile(
    source: string,
    file: string,
    options: CompileOptions,
  ): CompiledTemplate | Promise<CompiledTemplate>;
  /**
   * Tells, from an error thrown while rendering, which context variable was
   * missing (strict mode), so the error can name it.
   */
  missingVariable?(error: unknown): string | undefined;
}
