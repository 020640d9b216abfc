import { applyDecorators, Header } from '@nestjs/common';
import {
  MESSAGE_HTML_CSP,
  PREVIEW_PAGE_CSP,
} from './mail-preview.constants.js';

/**
 * Headers of the preview's own pages: HTML, no script at all, never cached.
 * @internal
 */
export function PreviewPageHeaders(): MethodDecorator {
  return applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Content-Security-Policy', PREVIEW_PAGE_CSP),
    Header('Cache-Control', 'no-store'),
  );
}

/**
 * Headers of a message's (or a rendered template's) HTML, shown in
 * `<iframe sandbox="">`: under {@link MESSAGE_HTML_CSP}, never sniffed,
 * no referrer, never cached.
 * @internal
 */
export function MessageHtmlHeaders(): MethodDecorator {
  return applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Content-Security-Policy', MESSAGE_HTML_CSP),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Referrer-Policy', 'no-referrer'),
    Header('Cache-Control', 'no-store'),
  );
}
