import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { startDebugSmtpServer, type ReceivedMessage } from 'nestjs-mail';
import type { MailPreviewSource } from 'nestjs-mail/preview';
import { listenWithFallback } from './port-fallback.js';

/** Token of the stream the embedded server prints to (stdout unless a test overrides it). */
export const DEV_MAIL_STREAM = 'DEV_MAIL_STREAM';

/**
 * The embedded development SMTP server: started on first use when EMAIL_URL is
 * unset, prints what it receives, delivers nothing, stops on app.close(). Also
 * a source of the preview page (/_mail): the last 100 messages it received.
 */
@Injectable()
export class DevMailServer implements OnApplicationShutdown, MailPreviewSource {
  private server?: Awaited<ReturnType<typeof startDebugSmtpServer>>;
  private readonly logger = new Logger(DevMailServer.name);

  constructor(
    private readonly config: ConfigService,
    @Inject(DEV_MAIL_STREAM) private readonly stream: NodeJS.WritableStream,
  ) {}

  /**
   * Starts the server (on DEV_SMTP_PORT, default 1025; a free port when 1025
   * is taken) and returns the SMTP URL that reaches it.
   */
  async url(): Promise<string> {
    this.server ??= await listenWithFallback(
      {
        label: 'The development SMTP server',
        variable: 'DEV_SMTP_PORT',
        value: this.config.get<string>('DEV_SMTP_PORT'),
        defaultPort: 1025,
        hint: 'Or set EMAIL_URL (e.g. smtp://127.0.0.1:1025) to send through a server you run.',
      },
      (port) =>
        startDebugSmtpServer({ host: '127.0.0.1', port, stream: this.stream }),
      (message) => this.logger.warn(message),
    );
    const url = `smtp://${this.server.host}:${this.server.port}`;
    this.logger.log(
      `Development SMTP server on ${url}: it prints every mail and delivers none.`,
    );
    return url;
  }

  /** How the preview page labels these messages. */
  readonly previewLabel = 'SMTP server';

  /** What the server received, for MailPreviewModule. */
  previewMessages(): readonly ReceivedMessage[] {
    return this.server?.messages ?? [];
  }

  /** Stops the server with the app. */
  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
