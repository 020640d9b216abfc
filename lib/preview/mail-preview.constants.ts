/**
 * Token of the `MailPreviewModuleOptions` value (named like the one
 * `ConfigurableModuleBuilder` makes). Override it in a test to turn the page
 * on or off whatever the app's configuration says:
 * `.overrideProvider(MAIL_PREVIEW_OPTIONS).useValue({ enabled: true })`.
 */
export const MAIL_PREVIEW_OPTIONS = 'MAIL_PREVIEW_MODULE_OPTIONS';

/** @internal Token of the lazily loaded `mailparser` module (`null` while the page is disabled). */
export const MAILPARSER = Symbol('MAILPARSER');

/** @internal Token of the function that imports `mailparser` (a test can make it fail). */
export const MAILPARSER_IMPORTER = Symbol('MAILPARSER_IMPORTER');

/** Where `MailPreviewModule` mounts its page unless told otherwise. */
export const DEFAULT_MAIL_PREVIEW_PATH = '/_mail';

/**
 * Content-Security-Policy of a previewed message's HTML, shown in an
 * `<iframe sandbox="">` and safe even when opened on its own: `sandbox`
 * gives the document an opaque origin (never the app's) and turns off
 * scripts, forms, popups and top-level navigation; nothing loads from
 * anywhere but the message itself (inline images arrive as `data:` URLs);
 * no form may submit, `<base>` is ignored, and only the preview page may
 * frame it.
 */
export const MESSAGE_HTML_CSP =
  "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; " +
  "sandbox; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

/** @internal Content-Security-Policy of the preview's own pages: no scripts at all. */
export const PREVIEW_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** @internal Policy of downloads: never rendered as a document of the app's origin. */
export const DOWNLOAD_CSP = "default-src 'none'; sandbox";
