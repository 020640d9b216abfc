/** @internal Token of the checked `MailPreviewModuleOptions`. */
export const MAIL_PREVIEW_OPTIONS = Symbol('MAIL_PREVIEW_OPTIONS');

/** @internal Token of the lazily loaded `mailparser` module. */
export const MAILPARSER = Symbol('MAILPARSER');

/** Where `MailPreviewModule` mounts its page unless told otherwise. */
export const DEFAULT_MAIL_PREVIEW_PATH = '/_mail';

/**
 * Content-Security-Policy of a previewed message's HTML (shown in an
 * `<iframe sandbox="">`): no scripts, nothing loaded from anywhere but the
 * message itself (inline images arrive as `data:` URLs).
 */
export const MESSAGE_HTML_CSP =
  "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'";

/** @internal Content-Security-Policy of the preview's own pages: no scripts at all. */
export const PREVIEW_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; " +
  "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** @internal Policy of downloads: never rendered as a document of the app's origin. */
export const DOWNLOAD_CSP = "default-src 'none'; sandbox";
