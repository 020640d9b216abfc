import {
  Catch,
  Injectable,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PREVIEW_PAGE_CSP } from './mail-preview.constants.js';
import { renderNotFound } from './preview-pages.js';

/**
 * A message or attachment the page does not have (any more).
 * @internal
 */
export class PreviewNotFoundException extends NotFoundException {}

/**
 * Answers {@link PreviewNotFoundException} with a small HTML page, as
 * `text/html`: the route already said `text/html`, and a JSON body under it
 * made Express log "Content-Type doesn't match Reply body".
 * @internal
 */
@Catch(PreviewNotFoundException)
@Injectable()
export class PreviewNotFoundFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: PreviewNotFoundException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const path = String(adapter.getRequestUrl(http.getRequest())).split('?')[0];
    const res: unknown = http.getResponse();
    adapter.setHeader(res, 'Content-Type', 'text/html; charset=utf-8');
    adapter.setHeader(res, 'Content-Security-Policy', PREVIEW_PAGE_CSP);
    adapter.setHeader(res, 'Cache-Control', 'no-store');
    adapter.reply(
      res,
      renderNotFound(exception.message, path.replace(/\/m\/.*$/, '')),
      404,
    );
  }
}
