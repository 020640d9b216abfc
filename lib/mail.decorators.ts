import { Inject } from '@nestjs/common';
import { BaseEmailBackend } from './backends/base.backend.js';
import { DEFAULT_MAILER, MAILER_TOKEN_PREFIX } from './mail.constants.js';

/**
 * Aliases named by `@InjectMailer` anywhere in the program. `forRootAsync`
 * cannot read the aliases from options it does not have yet, so it provides
 * a token for each of these (no list to repeat by hand).
 */
const injectedAliases = new Set<string>();

/** @internal The aliases `@InjectMailer` has named so far. */
export function injectedMailerAliases(): string[] {
  return [...injectedAliases];
}

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
 * configured under `alias` in the module's `mailers`. Works with `forRoot`
 * and `forRootAsync` alike.
 *
 * @example constructor(@InjectMailer('bulk') private readonly bulk: BaseEmailBackend) {}
 */
export const InjectMailer = (
  alias: string = DEFAULT_MAILER,
): ParameterDecorator & PropertyDecorator => {
  if (alias !== DEFAULT_MAILER) injectedAliases.add(alias);
  return Inject(getMailerToken(alias));
};
