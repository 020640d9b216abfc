import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { startDebugSmtpServer, type ReceivedMessage } from 'nestjs-mail';
import type { MailPreviewSource } from 'nestjs-mail/preview';

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

  constructor(
    private readonly config: ConfigService,
    @Inject(DEV_MAIL_STREAM) private readonly stream: NodeJS.WritableStream,
  ) {}

  /** Starts the server and returns the SMTP URL that reaches it. */
  async url(): Promise<string> {
    this.server ??= await startDebugSmtpServer({
      host: '127.0.0.1',
      port: Number(this.config.get('DEV_SMTP_PORT') ?? 1025),
      stream: this.stream,
    });
    return `smtp://${this.server.host}:${this.server.port}`;
  }

  /** How the preview page labels these messages. */
  readonly previewLabel = 'SMTP server';

  /** What the server received, for MailPreviewModule. */
  previewMessages(): readonly ReceivedMessage[] {
    return this.server?.messages ?? [];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
