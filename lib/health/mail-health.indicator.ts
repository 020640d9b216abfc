import { Inject, Injectable, Optional } from '@nestjs/common';
import type * as Terminus from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import {
  ImproperlyConfiguredError,
  MailerRegistry,
  SmtpEmailBackend,
  type SmtpPoolStatus,
} from '../index.js';
import { TERMINUS } from './load-terminus.js';
import { MAIL_HEALTH_OPTIONS } from './mail-health.module-definition.js';

/** Options of {@link MailHealthIndicator.isHealthy}. */
export interface MailHealthCheckOptions {
  /**
   * Milliseconds each mailer may take to connect, greet, upgrade to TLS and
   * log in before it counts as down.
   * @default 5000
   */
  timeout?: number;
  /**
   * Mailers to check (`'default'` and keys of the module's `mailers`). Those
   * that do not send over SMTP are left out.
   * @default every SMTP mailer
   */
  aliases?: string[];
}

/** What the check reports for one mailer, under `mailers.<alias>`. */
export interface MailerHealth {
  /** `'up'` when it connected (and logged in, if it has credentials). */
  status: 'up' | 'down';
  /** SMTP host. */
  host: string;
  /** SMTP port. */
  port: number;
  /** Why it is down. */
  message?: string;
  /**
   * How it was checked: `'reset'` (RSET over an idle connection of the
   * mailer's pool: nothing new opened), `'connect'` (a fresh connection,
   * closed afterwards), or `'busy'` (every pooled connection was carrying
   * mail: up, nothing sent).
   */
  checked?: 'reset' | 'connect' | 'busy';
  /** The mailer's pool after the check. */
  pool: SmtpPoolStatus;
}

/**
 * A `@nestjs/terminus` health indicator: each SMTP mailer of the app can
 * connect, upgrade to TLS as configured, and log in, within a timeout, and
 * its pool (open, busy, idle, waiting) is reported. When the mailer's pool
 * has an idle connection, that connection answers an RSET (nothing new is
 * opened); otherwise a fresh connection is opened and closed. No mail is
 * sent. Needs the optional peer dependency `@nestjs/terminus`.
 *
 * Import `MailHealthModule` where your health controller is; the indicator
 * reads the app's mailers from the injected `MailerRegistry`.
 *
 * @example
 * \@Controller('health')
 * export class HealthController {
 *   constructor(private health: HealthCheckService, private mail: MailHealthIndicator) {}
 *
 *   \@Get() \@HealthCheck()
 *   check() {
 *     return this.health.check([() => this.mail.isHealthy('mail', { timeout: 3000 })]);
 *   }
 * }
 * // result: { mail: { status: 'up', mailers: { default: { status: 'up', host, port } } } }
 */
@Injectable()
export class MailHealthIndicator {
  readonly #indicators: InstanceType<typeof Terminus.HealthIndicatorService>;

  /** @internal Created by `MailHealthModule`. */
  constructor(
    @Inject(TERMINUS) terminus: typeof Terminus,
    @Inject(MAIL_HEALTH_OPTIONS)
    private readonly defaults: MailHealthCheckOptions,
    @Optional() private readonly registry?: MailerRegistry,
  ) {
    this.#indicators = new terminus.HealthIndicatorService();
  }

  /**
   * Checks the SMTP mailers concurrently. `down` when any of them is down,
   * with each mailer's host, port and, when down, the reason, under
   * `mailers.<alias>`.
   *
   * @param key the key of the result in the health report.
   * @param options override the module's defaults for this check.
   */
  async isHealthy<const Key extends string = 'mail'>(
    key: Key = 'mail' as Key,
    options: MailHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const { timeout = 5000, aliases } = { ...this.defaults, ...options };
    const registry = this.registry;
    if (!registry) {
      throw new ImproperlyConfiguredError(
        'MailHealthModule needs MailModule in the same application (registered globally, the default, or imported next to it).',
      );
    }
    const indicator = this.#indicators.check(key);
    const checks = await Promise.all(
      (aliases ?? registry.aliases()).map(async (alias) => {
        const health = await checkMailer(registry, alias, timeout);
        return health ? ([alias, health] as const) : undefined;
      }),
    );
    const mailers: Record<string, MailerHealth> = Object.fromEntries(
      checks.filter((check) => check !== undefined),
    );
    return Object.values(mailers).every((m) => m.status === 'up')
      ? indicator.up({ mailers })
      : indicator.down({ mailers });
  }
}

/**
 * Checks one SMTP mailer (`undefined` for other backends; throws for an
 * unknown alias): over an idle connection of its pool when there is one,
 * else over a fresh connection with `timeout` (ms) as its socket timeouts, so
 * a silent server frees the socket too, closed afterwards. Never sends mail.
 */
async function checkMailer(
  registry: MailerRegistry,
  alias: string,
  timeout: number,
): Promise<MailerHealth | undefined> {
  const shared = registry.get(alias);
  if (!(shared instanceof SmtpEmailBackend)) return undefined;
  const { host, port } = shared;
  let result: Pick<MailerHealth, 'status' | 'checked' | 'message'>;
  if (shared.pool.idle > 0) {
    result = await within(timeout, shared.checkServer()).then(
      (checked) => ({ status: 'up', checked }),
      (err: Error) => ({ status: 'down', message: err.message }),
    );
  } else {
    const connection = registry.createConnection(alias, {
      timeout: timeout / 1000,
      failSilently: false,
    }) as SmtpEmailBackend;
    result = await within(timeout, connection.open()).then(
      () => ({ status: 'up', checked: 'connect' }),
      (err: Error) => ({ status: 'down', message: err.message }),
    );
    // Queued after open(): closes once it settles, however it ends.
    void connection.close().catch(() => undefined);
  }
  return { ...result, host, port, pool: { ...shared.pool } };
}

/** `work`, or a rejection once `timeout` ms passed without it settling. */
async function within<T>(timeout: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No answer within ${timeout} ms`)),
      timeout,
    );
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
