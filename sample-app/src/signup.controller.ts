import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
} from '@nestjs/common';
import { InvalidAddressError, MailService } from 'nestjs-mail';
import { defineTemplate, MailTemplates } from 'nestjs-mail/templates';

interface SignupForm {
  email?: unknown;
  name?: unknown;
}

/** src/templates/welcome.*: subject and HTML; the text part is derived from the HTML. */
const welcome = defineTemplate<{ name: string; startUrl: string }>('welcome');

/** Sends a welcome mail from a template: text and HTML, with a small attachment. */
@Controller('signup')
export class SignupController {
  constructor(
    private readonly mail: MailService,
    private readonly templates: MailTemplates,
  ) {}

  @Post()
  @HttpCode(201)
  async signup(@Body() form: SignupForm): Promise<{ sent: number }> {
    const { email, name } = form ?? {};
    if (
      typeof email !== 'string' ||
      typeof name !== 'string' ||
      !email ||
      !name
    ) {
      throw new BadRequestException(
        'Make sure all fields are entered and valid.',
      );
    }
    const msg = await this.templates.message(
      welcome,
      { name, startUrl: 'https://example.com/start' },
      { to: [email] },
    );
    msg.attach(
      'getting-started.txt',
      '1. Sign in.\n2. Explore.\n3. Enjoy.\n',
      'text/plain',
    );
    try {
      return { sent: await this.mail.send(msg) };
    } catch (err) {
      if (err instanceof InvalidAddressError)
        throw new BadRequestException(`Invalid email address: ${email}`);
      throw err;
    }
  }
}
