import {
  Inject,
  Injectable,
  NotFoundException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Socket } from 'node:net';
import { isLoopbackClient } from './loopback-client.js';
import { MAIL_PREVIEW_OPTIONS } from './mail-preview.constants.js';
import type {
  MailPreviewClient,
  MailPreviewModuleOptions,
} from './mail-preview.interfaces.js';

/** What the guard reads of Express' or Fastify's request. */
interface PlatformRequest {
  headers: MailPreviewClient['headers'];
  socket?: Socket;
  raw?: { socket?: Socket };
}

/**
 * Lets a request reach the preview page only when the page is `enabled` and
 * `allow` accepts the client; otherwise answers exactly what the app answers
 * for a route that does not exist (`Cannot GET /_mail`, 404), so the page
 * cannot be told apart from no page.
 * @internal
 */
@Injectable()
export class MailPreviewAccessGuard implements CanActivate {
  constructor(
    @Inject(MAIL_PREVIEW_OPTIONS)
    private readonly options: MailPreviewModuleOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PlatformRequest>();
    const client: MailPreviewClient = {
      remoteAddress: (req.socket ?? req.raw?.socket)?.remoteAddress,
      headers: req.headers,
    };
    const allow = this.options.allow ?? isLoopbackClient;
    if (this.options.enabled === true && (await allow(client))) return true;
    const adapter = this.adapterHost.httpAdapter;
    throw new NotFoundException(
      `Cannot ${adapter.getRequestMethod(req)} ${adapter.getRequestUrl(req)}`,
    );
  }
}
