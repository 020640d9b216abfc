import { Catch, HttpException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { MailService } from 'nestjs-mail';

/** Lets Nest answer as usual, and mails the admins about every unexpected (5xx) error. */
@Catch()
export class ErrorMailFilter extends BaseExceptionFilter {
  constructor(
    private readonly mail: MailService,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost.httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    super.catch(exception, host);
    const status =
      exception instanceof HttpException ? exception.getStatus() : 500;
    if (status < 500) return;
    const request = host
      .switchToHttp()
      .getRequest<{ method: string; url: string }>();
    const detail =
      exception instanceof Error
        ? (exception.stack ?? exception.message)
        : String(exception);
    void this.mail
      .mailAdmins(`Error ${status} on ${request.method} ${request.url}`, detail)
      .catch((err: Error) =>
        console.error(`Could not mail the admins: ${err.message}`),
      );
  }
}
