import { applyDecorators, Header } from '@nestjs/common';
import {
  DOWNLOAD_CSP,
  MESSAGE_HTML_CSP,
  PREVIEW_PAGE_CSP,
} from './mail-preview.constants.js';

/**
 * Headers of the preview's own pages (and of its 404 page): HTML, no script
 * at all, never cached.
 * @internal
 */
export const PREVIEW_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': PREVIEW_PAGE_CSP,
  'Cache-Control': 'no-store',
};

/** The route answers with `headers`. */
function headers(headers: Readonly<Record<string, string>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(headers).map(([name, value]) => Header(name, value)),
  );
}

/**
 * The route is one of the preview's own pages: {@link PREVIEW_PAGE_HEADERS}.
 * @internal
 */
export function PreviewPageHeaders(): MethodDecorator {
  return headers(PREVIEW_PAGE_HEADERS);
}

/**
 * Headers of a message's (or a rendered template's) HTML, shown in
 * `<iframe sandbox="">`: under {@link MESSAGE_HTML_CSP}, never sniffed,
 * no referrer, never cached.
 * @internal
 */
export function MessageHtmlHeaders(): MethodDecorator {
  return headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': MESSAGE_HTML_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
}

/**
 * Headers of a download (the `.eml`, an attachment): under
 * {@link DOWNLOAD_CSP}, never sniffed, so it never renders as a document of
 * the app's origin.
 * @internal
 */
export function DownloadHeaders(): MethodDecorator {
  return headers({
    'Content-Security-Policy': DOWNLOAD_CSP,
    'X-Content-Type-Options': 'nosniff',
  });
}
