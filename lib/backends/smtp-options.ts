import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import type { BaseEmailBackendOptions } from './base.backend.js';
import type { RateLimit } from './rate-limiter.js';
import { parseSmtpUrl } from './smtp-url.js';

/** Options of `SmtpEmailBackend`: Django's `EMAIL_*` settings, plus the pool. */
export interface SmtpEmailBackendOptions extends BaseEmailBackendOptions {
  /**
   * `smtp://user:pass@host:587?tls=true` or `smtps://user:pass@host:465`, so
   * that one environment variable can configure the connection. Options given
   * next to it win over what the URL says.
   * @default undefined
   * @example { url: process.env.EMAIL_URL }
   */
  url?: string;
  /**
   * SMTP server host name or IP address.
   * @default 'localhost'
   */
  host?: string;
  /**
   * SMTP server port. Defaults as in Django 6.1's `MAILERS`: 465 with
   * `useSsl`, 587 with `useTls`, else 25.
   * @default 25
   */
  port?: number;
  /**
   * User name for SMTP AUTH. The backend logs in only when both `username`
   * and `password` are non-empty.
   * @default undefined
   */
  username?: string;
  /**
   * Password for SMTP AUTH. Never logged, and not kept on an enumerable field.
   * @default undefined
   */
  password?: string;
  /**
   * Require STARTTLS (explicit TLS, usually port 587). A server that does not
   * offer it is an error, and nothing (no credentials, no `MAIL FROM`) is sent
   * in plain text. Mutually exclusive with `useSsl`.
   *
   * When neither `useTls` nor `useSsl` is set the connection stays plain text
   * and STARTTLS is not tried even if offered, as in Django.
   * @default false
   */
  useTls?: boolean;
  /**
   * Implicit TLS from the first byte (SMTPS, usually port 465). Mutually
   * exclusive with `useTls`.
   * @default false
   */
  useSsl?: boolean;
  /**
   * Seconds to wait for the connection, for the greeting, and for each
   * server reply. Unset, the defaults are 10 s to connect, 10 s for the
   * greeting and 30 s per reply: unlike Django (`EMAIL_TIMEOUT = None`, wait
   * for ever), a server that stops answering fails the send instead of
   * holding it. `null` opts out and keeps nodemailer's own limits (2 min to
   * connect, 30 s for the greeting, 10 min per reply).
   * @default undefined (10 s, 10 s, 30 s)
   */
  timeout?: number | null;
  /**
   * Path of a PEM client certificate, presented when TLS is in use.
   * @default undefined
   */
  sslCertfile?: string;
  /**
   * Path of the PEM private key of `sslCertfile`.
   * @default undefined
   */
  sslKeyfile?: string;
  /**
   * Path of a PEM CA bundle to trust instead of the system roots, for a
   * development server with a private CA or self-signed certificate.
   * Certificates and host names are always verified.
   * @default undefined
   */
  sslCafile?: string;
  /**
   * Most connections the backend keeps open at once. Every send shares
   * them: concurrent calls, and the messages of one batch, each take an idle
   * connection, open a new one while fewer than this are open, or wait for
   * the first one free. Set it at or below your provider's limit of
   * concurrent connections per account. `1` sends everything over one
   * connection, one message at a time.
   * @default 10
   */
  maxConnections?: number;
  /**
   * A connection is closed (QUIT) after this many messages and a new one
   * opened when needed, for providers that ask for it. `Infinity`: never.
   * @default Infinity
   */
  maxMessagesPerConnection?: number;
  /**
   * Seconds an unused connection stays open before it is closed (QUIT); the
   * next send opens a new one. `Infinity`: until `close()`. Below the default
   * per-reply timeout (30 s), which nodemailer also applies to an idle socket:
   * a connection left idle longer than `timeout` is dropped without QUIT.
   * @default 20
   */
  idleTimeout?: number;
  /**
   * At most `messages` messages started in any `perSeconds` seconds, across
   * every connection of the backend, for provider quotas such as SES's
   * sending rate. Messages beyond it wait their turn.
   * @default undefined (no limit)
   * @example { messages: 14, perSeconds: 1 }
   */
  rateLimit?: RateLimit;
  /**
   * @deprecated Use `maxConnections`, which it sets when that is not given.
   * @default undefined
   */
  concurrency?: number;
}

/** Timeouts in milliseconds, as nodemailer takes them. */
export interface SmtpTimeouts {
  connection: number;
  greeting: number;
  command: number;
}

/** The defaults of {@link SmtpEmailBackendOptions.timeout}, in seconds. */
export const DEFAULT_SMTP_TIMEOUTS = {
  connection: 10,
  greeting: 10,
  command: 30,
} as const;

/** Default of {@link SmtpEmailBackendOptions.maxConnections}. */
export const DEFAULT_MAX_CONNECTIONS = 10;

/** Default of {@link SmtpEmailBackendOptions.idleTimeout}, in seconds. */
export const DEFAULT_IDLE_TIMEOUT = 20;

const BOTH_TLS_MODES =
  'SmtpEmailBackend: useTls and useSsl are mutually exclusive, so set only one of them ' +
  '(useTls for STARTTLS, usually port 587; useSsl for implicit TLS, usually port 465).';

function fail(message: string): never {
  throw new ImproperlyConfiguredError(`SmtpEmailBackend: ${message}`);
}

/**
 * Merges `url` under the explicit options (explicit ones win) and checks
 * every value, with errors that say what to change.
 * @internal
 */
export function resolveSmtpOptions(
  given: SmtpEmailBackendOptions,
): SmtpEmailBackendOptions {
  const { url, ...explicit } = given;
  const defined = Object.fromEntries(
    Object.entries(explicit).filter(([, value]) => value !== undefined),
  );
  const options: SmtpEmailBackendOptions =
    url === undefined ? explicit : { ...parseSmtpUrl(url), ...defined };
  if (options.useTls && options.useSsl) {
    throw new ImproperlyConfiguredError(BOTH_TLS_MODES);
  }
  const { timeout, rateLimit } = options;
  if (timeout !== undefined && timeout !== null && !(timeout > 0)) {
    fail(
      `timeout must be a positive number of seconds, or null for nodemailer's own limits, got ${timeout}.`,
    );
  }
  for (const name of ['maxConnections', 'concurrency'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      fail(
        `${name} must be a whole number of connections, 1 or more, got ${value}.`,
      );
    }
  }
  const perConnection = options.maxMessagesPerConnection;
  if (
    perConnection !== undefined &&
    perConnection !== Infinity &&
    !(Number.isInteger(perConnection) && perConnection >= 1)
  ) {
    fail(
      `maxMessagesPerConnection must be a whole number, 1 or more, or Infinity, got ${perConnection}.`,
    );
  }
  if (options.idleTimeout !== undefined && !(options.idleTimeout > 0)) {
    fail(
      `idleTimeout must be a positive number of seconds (or Infinity), got ${options.idleTimeout}.`,
    );
  }
  if (
    rateLimit !== undefined &&
    !(
      Number.isInteger(rateLimit.messages) &&
      rateLimit.messages >= 1 &&
      (rateLimit.perSeconds === undefined || rateLimit.perSeconds > 0)
    )
  ) {
    fail(
      'rateLimit must be { messages: a whole number, 1 or more, perSeconds: a positive number of seconds }.',
    );
  }
  return options;
}

/** The timeouts to give nodemailer, in ms; `undefined` fields keep nodemailer's. */
export function smtpTimeouts(
  timeout: number | null | undefined,
): Partial<SmtpTimeouts> {
  if (timeout === null) return {};
  if (timeout === undefined) {
    return {
      connection: DEFAULT_SMTP_TIMEOUTS.connection * 1000,
      greeting: DEFAULT_SMTP_TIMEOUTS.greeting * 1000,
      command: DEFAULT_SMTP_TIMEOUTS.command * 1000,
    };
  }
  const ms = timeout * 1000;
  return { connection: ms, greeting: ms, command: ms };
}
