/** One template, as {@link MailPreviewTemplates.list} describes it. */
export interface MailPreviewTemplateSummary {
  /** Its name, as given to `render`. */
  name: string;
  /** What it is made of (`'file'`, `'function'`, `'react'`), shown in the list. */
  kind: string;
  /** Locales it has variants for, `''` for the unlocalised one (empty for code). */
  locales: readonly string[];
}

/** A template rendered with a context, as {@link MailPreviewTemplates.render} returns it. */
export interface MailPreviewRenderedTemplate {
  /** The subject, on one line. */
  subject: string;
  /** The text body. */
  text: string;
  /** The HTML alternative; `undefined` for a text-only template. */
  html?: string | undefined;
}

/**
 * What the template previews need of the app's templates: `MailTemplates`
 * of `nestjs-mail/templates` has exactly this shape, so pass its instance
 * (injected through `forRootAsync`). Any other object with these two
 * methods works too.
 */
export interface MailPreviewTemplates {
  /** Every template, in the order the page lists them. */
  list(): readonly MailPreviewTemplateSummary[];
  /**
   * Renders one template with a context, in a locale when given; a rejection
   * is shown on the page (status 500), never sent anywhere.
   */
  render(
    template: string,
    context: object,
    options: { locale?: string },
  ): Promise<MailPreviewRenderedTemplate>;
}

/**
 * A sample context of a template: the context itself, or a function that
 * builds it (called on each page load, so it can return fresh data).
 *
 * @example { name: 'Ada', startUrl: 'https://example.com/start' }
 * @example () => ({ name: faker.person.firstName(), orders: buildOrders(3) })
 */
export type MailPreviewSample = object | (() => object | Promise<object>);

/**
 * Sample contexts of the template previews: by template name, then by
 * sample name (the page offers each sample as a link, the first one by
 * default). A template without samples is rendered with an empty context.
 *
 * @example
 * samples: {
 *   welcome: {
 *     default: { name: 'Ada', startUrl: 'https://example.com/start' },
 *     'long name': { name: 'Maria Anna Sophia Cecilia', startUrl: 'https://example.com/start' },
 *   },
 *   'auth/reset': { default: () => ({ url: `https://example.com/reset/${Date.now()}` }) },
 * }
 */
export type MailPreviewSamples = Record<
  string,
  Record<string, MailPreviewSample>
>;
