import { Inject } from '@nestjs/common';
import { BaseEmailBackend } from './backends/base.backend.js';
import { DEFAULT_MAILER, MAILER_TOKEN_PREFIX } from './mail.constants.js';

/**
 * The DI token of a mailer: `BaseEmailBackend` for the default one, a
 * readable string token for a named one.
 *
 * @example Test.createTestingModule(...).overrideProvider(getMailerToken('bulk')).useClass(LocmemEmailBackend)
 */
export function getMailerToken(
  alias: string = DEFAULT_MAILER,
): string | typeof BaseEmailBackend {
  return alias === DEFAULT_MAILER
    ? BaseEmailBackend
    : `${MAILER_TOKEN_PREFIX}${alias}`;
}

/**
 * Injects a mailer (a `BaseEmailBackend`): the default one, or the one
 * configured under `alias` in the module's `mailers`.
 *
 * @example constructor(@InjectMailer('bulk') private readonly bulk: BaseEmailBackend) {}
 */
export const InjectMailer = (
  alias?: string,
): ParameterDecorator & PropertyDecorator => Inject(getMailerToken(alias));
