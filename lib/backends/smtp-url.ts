import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import type { SmtpEmailBackendOptions } from './smtp.backend.js';

/**
 * Reads an `smtp://` or `smtps://` URL into {@link SmtpEmailBackendOptions}.
 * User name and password are percent-decoded. Query parameters:
 * `tls=true` (or `starttls=true`) for STARTTLS, `timeout=<seconds>`,
 * `concurrency=<connections>` (see {@link SmtpEmailBackendOptions.concurrency}).
 * Errors never repeat the URL, which may hold a password.
 *
 * @example
 * parseSmtpUrl('smtp://apikey:s%40cret@smtp.example.com:587?tls=true')
 * // { host: 'smtp.example.com', port: 587, username: 'apikey', password: 's@cret', useTls: true }
 * parseSmtpUrl('smtps://user:pass@smtp.example.com') // useSsl, port 465
 */
export function parseSmtpUrl(url: string): SmtpEmailBackendOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImproperlyConfiguredError(
      'parseSmtpUrl: not a valid URL; expected smtp://user:pass@host:port or smtps://...',
    );
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ImproperlyConfiguredError(
      `parseSmtpUrl: unsupported scheme "${parsed.protocol}"; use smtp:// (plain, or ?tls=true for STARTTLS) or smtps:// (implicit TLS).`,
    );
  }
  const options: SmtpEmailBackendOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
  };
  if (parsed.port) options.port = Number(parsed.port);
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'smtps:') options.useSsl = true;
  for (const [name, value] of parsed.searchParams) {
    if (name === 'tls' || name === 'starttls') {
      options.useTls = /^(1|true|yes|on)$/i.test(value);
    } else if (name === 'timeout') {
      options.timeout = Number(value);
    } else if (name === 'concurrency') {
      options.concurrency = Number(value);
    } else {
      throw new ImproperlyConfiguredError(
        `parseSmtpUrl: unknown query parameter "${name}"; supported: tls, starttls, timeout, concurrency.`,
      );
    }
  }
  if (options.useSsl && options.useTls) {
    throw new ImproperlyConfiguredError(
      'parseSmtpUrl: smtps:// is already implicit TLS; drop ?tls=true, or use smtp:// with ?tls=true for STARTTLS.',
    );
  }
  return options;
}
