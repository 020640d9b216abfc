import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
} from '@nestjs/common';
import {
  EmailMultiAlternatives,
  InvalidAddressError,
  MailService,
} from 'nestjs-mail';

interface SignupForm {
  email?: unknown;
  name?: unknown;
}

/** Sends a welcome mail: text and HTML, with a small attachment. */
@Controller('signup')
export class SignupController {
  constructor(private readonly mail: MailService) {}

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
    const msg = new EmailMultiAlternatives(
      `Welcome, ${name}!`,
      `Hello ${name},\n\nThanks for signing up. Your getting-started guide is attached.\n`,
      null,
      [email],
    );
    msg.attachAlternative(
      `<h1>Hello ${escapeHtml(name)}</h1><p>Thanks for signing up.</p>`,
      'text/html',
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

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
