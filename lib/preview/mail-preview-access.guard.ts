import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Socket } from 'node:net';
import { forwardingHeader, isLoopbackClient } from './loopback-client.js';
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
  private readonly logger = new Logger('MailPreviewModule');
  private warned = false;

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
    if (this.options.enabled !== true) throw this.notFound(req);
    if (await (this.options.allow ?? isLoopbackClient)(client)) return true;
    if (!this.warned) {
      // Once: an enabled page that 404s (an app in a container, a dev proxy) is otherwise a puzzle.
      this.warned = true;
      const proxy = forwardingHeader(client.headers);
      this.logger.warn(
        `Answered 404 to ${client.remoteAddress ?? 'a client'}` +
          (proxy ? ` (a request forwarded by a proxy: ${proxy})` : '') +
          ': the page serves loopback clients ' +
          'without proxy headers only. To let others in, pass allow, e.g. ' +
          "allow: (client) => isLoopbackClient(client) || client.remoteAddress === '172.17.0.1'. " +
          'This is logged once.',
      );
    }
    throw this.notFound(req);
  }

  /** What the app answers for a route that does not exist. */
  private notFound(req: PlatformRequest): NotFoundException {
    const adapter = this.adapterHost.httpAdapter;
    return new NotFoundException(
      `Cannot ${adapter.getRequestMethod(req)} ${adapter.getRequestUrl(req)}`,
    );
  }
}
