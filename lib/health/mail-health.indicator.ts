import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { SmtpEmailBackend } from '../backends/smtp.backend.js';
import type { MailerConfig } from '../interfaces/mail-module-options.interface.js';
import { DEFAULT_MAILER } from '../mail.constants.js';
import { createBackend } from '../mailer.factory.js';
import { MailerRegistry } from '../mailer.registry.js';
import { loadTerminus } from './load-terminus.js';

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
}

/**
 * A `@nestjs/terminus` health indicator: each SMTP mailer of the app can
 * connect, upgrade to TLS as configured, and log in, within a timeout. Every
 * check uses a fresh connection that it closes afterwards, never the mailer's
 * shared one, and sends no mail. Needs the optional peer dependency
 * `@nestjs/terminus`.
 *
 * Add it to the providers of the module that has your health controller;
 * it finds the app's mailers wherever `MailModule` is imported.
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
  constructor(private readonly moduleRef: ModuleRef) {}

  /**
   * Checks the SMTP mailers concurrently. `down` when any of them is down,
   * with each mailer's host, port and, when down, the reason, under
   * `mailers.<alias>`.
   *
   * @param key the key of the result in the health report.
   */
  async isHealthy<const Key extends string = 'mail'>(
    key: Key = 'mail' as Key,
    { timeout = 5000, aliases }: MailHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const { HealthIndicatorService } = await loadTerminus();
    const indicator = this.findOrCreate(HealthIndicatorService).check(key);
    const registry = this.moduleRef.get(MailerRegistry, { strict: false });
    const wanted = aliases ?? [
      DEFAULT_MAILER,
      ...Object.keys(registry.options.mailers ?? {}),
    ];
    const checks = await Promise.all(
      wanted.map(async (alias) => {
        const connection = freshConnection(registry, alias, timeout);
        return connection
          ? ([alias, await probe(connection, timeout)] as const)
          : undefined;
      }),
    );
    const mailers: Record<string, MailerHealth> = Object.fromEntries(
      checks.filter((check) => check !== undefined),
    );
    return Object.values(mailers).every((m) => m.status === 'up')
      ? indicator.up({ mailers })
      : indicator.down({ mailers });
  }

  private findOrCreate<T>(type: new () => T): T {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return new type();
    }
  }
}

/**
 * A new, unopened connection with the mailer's configuration and `timeout`
 * (ms) as its socket timeouts, or `undefined`
 * when the mailer does not send over SMTP. Throws for an unknown alias.
 */
function freshConnection(
  registry: MailerRegistry,
  alias: string,
  timeout: number,
): SmtpEmailBackend | undefined {
  if (!(registry.get(alias) instanceof SmtpEmailBackend)) return undefined;
  const config =
    alias === DEFAULT_MAILER
      ? registry.options
      : registry.options.mailers?.[alias];
  if (!config) return undefined;
  // Its own socket timeouts match, so a silent server frees the socket too.
  const options = { ...config.options, timeout: timeout / 1000 };
  const connection = createBackend(
    { ...config, options } as MailerConfig,
    registry.context(alias),
  );
  if (!(connection instanceof SmtpEmailBackend)) return undefined;
  connection.failSilently = false;
  return connection;
}

async function probe(
  connection: SmtpEmailBackend,
  timeout: number,
): Promise<MailerHealth> {
  const { host, port } = connection;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`No answer within ${timeout} ms`)),
      timeout,
    );
  });
  try {
    await Promise.race([connection.open(), timedOut]);
    return { status: 'up', host, port };
  } catch (err) {
    return { status: 'down', host, port, message: (err as Error).message };
  } finally {
    clearTimeout(timer);
    // Queued after open(): closes once it settles, however it ends.
    void connection.close().catch(() => undefined);
  }
}
