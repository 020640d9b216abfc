/**
 * Rendering a template failed: in strict mode a context variable the template
 * uses was not given, or the engine or a helper threw. Names the template,
 * the file and (for a missing variable) the variable.
 */
export class MailTemplateRenderError extends Error {
  /** Name of the template, e.g. `'welcome'`. */
  readonly template: string;
  /** The file being rendered; `undefined` for a function template. */
  readonly file: string | undefined;
  /** The missing context variable, in strict mode. */
  readonly variable: string | undefined;

  constructor(
    template: string,
    file: string | undefined,
    reason: string,
    variable?: string,
    options?: ErrorOptions,
  ) {
    super(
      `Template '${template}'${file ? ` (${file})` : ''}: ${reason}`,
      options,
    );
    this.name = 'MailTemplateRenderError';
    this.template = template;
    this.file = file;
    this.variable = variable;
  }
}
