import {
  Controller,
  Get,
  Param,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MailPreviewAccessGuard } from './mail-preview-access.guard.js';
import { MessageHtmlHeaders, PreviewPageHeaders } from './preview-headers.js';
import { basePath, type PreviewRequest } from './preview-request.js';
import { markup } from './preview-html.js';
import {
  PreviewNotFoundException,
  PreviewNotFoundFilter,
} from './preview-not-found.filter.js';
import {
  renderTemplateList,
  renderTemplatePreview,
} from './template-preview-pages.js';
import {
  TemplatePreviewService,
  type TemplatePreview,
} from './template-preview.service.js';

/**
 * The template previews, below the mount path: `GET /templates` (the list),
 * `GET /templates/:name?sample=&locale=` (one template rendered with a
 * sample) and `/templates/:name/html` (its HTML, for the iframe). Renders
 * only, never sends. A template that fails to render answers 500 with the
 * error on the page. Behind the same guard as the sent-mail page.
 * @internal Mounted by `MailPreviewModule.forRoot()` through `mountController`.
 */
@Controller()
@UseGuards(MailPreviewAccessGuard)
@UseFilters(PreviewNotFoundFilter)
export class TemplatePreviewController {
  constructor(
    private readonly previews: TemplatePreviewService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The list of templates. */
  @Get('templates')
  @PreviewPageHeaders()
  list(@Req() req: PreviewRequest): string {
    const { rows, unknown } = this.previews.list();
    return renderTemplateList(rows, unknown, basePath(req, /\/templates\/?$/));
  }

  /** One template rendered with a sample, in a locale; 500 with the error when rendering fails. */
  @Get('templates/:name')
  @PreviewPageHeaders()
  async template(
    @Param('name') name: string,
    @Query('sample') sample: unknown,
    @Query('locale') locale: unknown,
    @Req() req: PreviewRequest,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<string> {
    const preview = await this.preview(name, sample, locale);
    if (preview.error) this.adapterHost.httpAdapter.status(res, 500);
    return renderTemplatePreview(preview, basePath(req, /\/templates\/[^/]*$/));
  }

  /** The rendered HTML, shown in `<iframe sandbox="">` under `MESSAGE_HTML_CSP`. */
  @Get('templates/:name/html')
  @MessageHtmlHeaders()
  async html(
    @Param('name') name: string,
    @Query('sample') sample: unknown,
    @Query('locale') locale: unknown,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<string> {
    const { rendered, error } = await this.preview(name, sample, locale);
    if (error !== undefined) {
      this.adapterHost.httpAdapter.status(res, 500);
      return markup`<pre>${error}</pre>`.value;
    }
    if (rendered?.html === undefined)
      throw new PreviewNotFoundException(
        `Template '${name}' has no HTML part.`,
        'templates',
      );
    return rendered.html;
  }

  private preview(
    name: string,
    sample: unknown,
    locale: unknown,
  ): Promise<TemplatePreview> {
    return this.previews.preview(name, one(sample), one(locale));
  }
}

/** A query parameter given once; repeated, the first; absent, `undefined`. */
function one(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
