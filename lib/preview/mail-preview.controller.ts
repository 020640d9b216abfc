import {
  Controller,
  Get,
  Param,
  Req,
  StreamableFile,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { MailPreviewAccessGuard } from './mail-preview-access.guard.js';
import {
  DownloadHeaders,
  MessageHtmlHeaders,
  PreviewPageHeaders,
} from './preview-headers.js';
import {
  PreviewNotFoundException,
  PreviewNotFoundFilter,
} from './preview-not-found.filter.js';
import {
  MailPreviewService,
  type PreviewEntry,
} from './mail-preview.service.js';
import { TemplatePreviewService } from './template-preview.service.js';
import {
  contentDisposition,
  renderList,
  renderMessage,
} from './preview-pages.js';
import { basePath, type PreviewRequest } from './preview-request.js';

/**
 * The preview page's routes, below the mount path: `GET /` (the list),
 * `GET /m/:id` (a message), `/m/:id/html` (its HTML, for the iframe),
 * `/m/:id/raw` (the .eml) and `/m/:id/attachments/:index`.
 * Every route answers 404 unless {@link MailPreviewAccessGuard} lets the client in.
 * @internal Mounted by `MailPreviewModule.forRoot()` through `mountController`.
 */
@Controller()
@UseGuards(MailPreviewAccessGuard)
@UseFilters(PreviewNotFoundFilter)
export class MailPreviewController {
  constructor(
    private readonly preview: MailPreviewService,
    private readonly templates: TemplatePreviewService,
  ) {}

  /** The list of messages. */
  @Get()
  @PreviewPageHeaders()
  async list(@Req() req: PreviewRequest): Promise<string> {
    return renderList(
      await this.preview.list(),
      basePath(req, /\/?$/),
      this.templates.enabled,
    );
  }

  /** One message. */
  @Get('m/:id')
  @PreviewPageHeaders()
  async message(
    @Param('id') id: string,
    @Req() req: PreviewRequest,
  ): Promise<string> {
    return renderMessage(await this.entry(id), basePath(req, /\/m\/[^/]*$/));
  }

  /** The HTML body, shown in `<iframe sandbox="">` under `MESSAGE_HTML_CSP`. */
  @Get('m/:id/html')
  @MessageHtmlHeaders()
  async html(@Param('id') id: string): Promise<string> {
    const { parsed } = await this.entry(id);
    if (!parsed.html)
      throw new PreviewNotFoundException('This message has no HTML.');
    return parsed.html;
  }

  /** The whole message, as a `.eml` download. */
  @Get('m/:id/raw')
  @DownloadHeaders()
  async raw(@Param('id') id: string): Promise<StreamableFile> {
    const { raw } = await this.entry(id);
    return new StreamableFile(raw, {
      type: 'message/rfc822',
      disposition: contentDisposition('message.eml'),
      length: raw.length,
    });
  }

  /** One attachment, always as a download. */
  @Get('m/:id/attachments/:index')
  @DownloadHeaders()
  async attachment(
    @Param('id') id: string,
    @Param('index') index: string,
  ): Promise<StreamableFile> {
    const { parsed } = await this.entry(id);
    const file = /^\d+$/.test(index) ? parsed.attachments[+index] : undefined;
    if (!file) throw new PreviewNotFoundException('No such attachment.');
    const type = /^[\w.+-]+\/[\w.+-]+$/.test(file.contentType)
      ? file.contentType
      : 'application/octet-stream';
    return new StreamableFile(file.content, {
      type,
      disposition: contentDisposition(
        file.filename || `attachment-${+index + 1}`,
      ),
      length: file.content.length,
    });
  }

  private async entry(id: string): Promise<PreviewEntry> {
    const entry = await this.preview.find(id);
    if (!entry)
      throw new PreviewNotFoundException(
        'No such message (the server keeps only the most recent ones).',
      );
    return entry;
  }
}
