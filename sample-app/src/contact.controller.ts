import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Redirect,
} from '@nestjs/common';
import { BadHeaderError, MailService } from 'nestjs-mail';

interface ContactForm {
  subject?: unknown;
  message?: unknown;
  from_email?: unknown;
}

/** The seed's example view: a contact form mailed to the site admins. */
@Controller('contact')
export class ContactController {
  constructor(private readonly mail: MailService) {}

  @Post()
  @Redirect('/contact/thanks/', 302)
  async send(@Body() form: ContactForm): Promise<void> {
    const { subject, message, from_email: fromEmail } = form ?? {};
    if (!isFilled(subject) || !isFilled(message) || !isFilled(fromEmail)) {
      throw new BadRequestException(
        'Make sure all fields are entered and valid.',
      );
    }
    try {
      await this.mail.sendMail(subject, message, fromEmail, [
        'admin@example.com',
      ]);
    } catch (err) {
      if (err instanceof BadHeaderError)
        throw new BadRequestException('Invalid header found.');
      throw err;
    }
  }

  @Get('thanks')
  @HttpCode(200)
  thanks(): string {
    return 'Thanks for your message.';
  }
}

function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
