import { Controller, Get } from '@nestjs/common';

/** A route that fails, to show the error mail that ErrorMailFilter sends to the admins. */
@Controller('boom')
export class BoomController {
  @Get()
  boom(): never {
    throw new Error('Something broke (this is the sample error route).');
  }
}
