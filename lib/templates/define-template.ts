/**
 * A template's name with the type of its context, so that
 * `templates.message(welcome, ctx, ...)` checks `ctx` at compile time.
 * Made by {@link defineTemplate} (file templates), {@link mailTemplate} or
 * {@link reactTemplate} (templates as code).
 */
export interface TemplateHandle<C extends object> {
  /** The template's name. */
  readonly name: string;
  /** Carries the context type only; never set. */
  readonly __context?: (context: C) => void;
}

/** What a function template returns. */
export interface TemplateOutput {
  /** The subject (line breaks are folded into spaces). */
  subject: string;
  /** The text body; derived from `html` when left out. */
  text?: string;
  /** The HTML alternative. */
  html?: string;
}

/** What a React template returns: `element` is rendered with `@react-email/render`. */
export interface ReactTemplateOutput {
  /** The subject (line breaks are folded into spaces). */
  subject: string;
  /** The text body; derived from the rendered HTML when left out. */
  text?: string;
  /** A React element, e.g. `<Welcome name={ctx.name} />` or `createElement(Welcome, ctx)`. */
  element: object;
}

/** Per-template settings of a function or React template. */
export interface FunctionTemplateSettings {
  /**
   * Inline the CSS of `<style>` elements into `style` attributes.
   * @default the module's `inlineCss`
   */
  inlineCss?: boolean;
}

/** A template written as code, registered in the module's `templates` option. */
export interface FunctionTemplate<C extends object> extends TemplateHandle<C> {
  /** `'function'` for {@link mailTemplate}, `'react'` for {@link reactTemplate}. */
  readonly kind: 'function' | 'react';
  /** Builds the mail's parts from the context. */
  readonly render: (
    context: C,
  ) =>
    | TemplateOutput
    | ReactTemplateOutput
    | Promise<TemplateOutput | ReactTemplateOutput>;
  /** Settings of this template. */
  readonly settings: FunctionTemplateSettings;
}

/**
 * A typed handle for a file template: the files stay as they are, the
 * context is checked where the mail is built.
 *
 * @example
 * export const welcome = defineTemplate<{ name: string; url: string }>('welcome');
 * await templates.message(welcome, { name: 'Ada', url }, { to: ['ada@example.com'] });
 */
export function defineTemplate<C extends object>(
  name: string,
): TemplateHandle<C> {
  return { name };
}

/**
 * A template as a typed function: it compiles with the app (nothing to copy
 * to `dist/`), and its context is type-checked. Register it in the module's
 * `templates` option.
 *
 * @example
 * export const reset = mailTemplate('password-reset', (ctx: { url: string }) => ({
 *   subject: 'Reset your password',
 *   html: `<p><a href="${ctx.url}">Choose a new password</a></p>`,
 * }));
 */
export function mailTemplate<C extends object>(
  name: string,
  render: (context: C) => TemplateOutput | Promise<TemplateOutput>,
  settings: FunctionTemplateSettings = {},
): FunctionTemplate<C> {
  return { name, kind: 'function', render, settings };
}

/**
 * A template as a React component (React Email or any JSX), rendered with
 * `@react-email/render` (an optional peer: `npm install @react-email/render react react-dom`).
 *
 * @example
 * export const welcome = reactTemplate('welcome', (ctx: { name: string }) => ({
 *   subject: `Welcome, ${ctx.name}`,
 *   element: <WelcomeEmail name={ctx.name} />,
 * }));
 */
export function reactTemplate<C extends object>(
  name: string,
  render: (context: C) => ReactTemplateOutput | Promise<ReactTemplateOutput>,
  settings: FunctionTemplateSettings = {},
): FunctionTemplate<C> {
  return { name, kind: 'react', render, settings };
}
