import {
  Catch,
  Injectable,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PREVIEW_PAGE_HEADERS } from './preview-headers.js';
import { basePath } from './preview-request.js';
import { renderNotFound, type PreviewList } from './preview-pages.js';

/**
 * A message, attachment, template or sample the page does not have (any more).
 * @internal
 */
export class PreviewNotFoundException extends NotFoundException {
  constructor(
    message: string,
    /** Which list the 404 page links back to. */
    readonly list: PreviewList = 'mail',
  ) {
    super(message);
  }
}

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
    const url = String(adapter.getRequestUrl(http.getRequest()));
    const res: unknown = http.getResponse();
    for (const [name, value] of Object.entries(PREVIEW_PAGE_HEADERS))
      adapter.setHeader(res, name, value);
    const base = basePath(
      { url },
      exception.list === 'templates'
        ? /\/templates(?:\/[^/]*)?(?:\/html)?$/
        : /\/m\/.*$/,
    );
    adapter.reply(
      res,
      renderNotFound(exception.message, base, exception.list),
      404,
    );
  }
}
