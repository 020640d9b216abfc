import { ImproperlyConfiguredError } from '../errors/improperly-configured.error.js';
import type { SmtpEmailBackendOptions } from './smtp.backend.js';

/** Spellings of a boolean query parameter (compared in lower case, never trimmed). */
const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  '1': true,
  yes: true,
  on: true,
  false: false,
  '0': false,
  no: false,
  off: false,
};

/** The values each query parameter takes; `starttls` is another name of `tls`. */
const PARAMETERS = {
  tls: 'true, false, 1, 0, yes, no, on or off',
  timeout: 'a positive number of seconds',
  concurrency: 'a whole number of connections, 1 or more',
} as const;
type Parameter = keyof typeof PARAMETERS;
const ALIASES: Readonly<Record<string, Parameter>> = { starttls: 'tls' };

const ACCEPTED =
  `accepted: tls or starttls (STARTTLS: ${PARAMETERS.tls}), ` +
  `timeout (${PARAMETERS.timeout}), concurrency (${PARAMETERS.concurrency})`;

/**
 * Reads an `smtp://` or `smtps://` URL into {@link SmtpEmailBackendOptions}.
 * User name and password are percent-decoded. Query parameters:
 * `tls=true` (or `starttls=true`) for STARTTLS, `timeout=<seconds>`,
 * `concurrency=<connections>` (see {@link SmtpEmailBackendOptions.concurrency}).
 *
 * Strict, because a typo must never turn TLS off: a boolean that is not
 * `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off` (`?tls=ture`, `?tls=required`,
 * `?tls=%20true`), a number that is not one, a parameter given twice
 * (`?tls=true&tls=0`, `?tls=1&starttls=1`), an unknown parameter or a path
 * is an {@link ImproperlyConfiguredError} that names the parameter. Errors
 * never repeat the URL, which may hold a password.
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
  if ((parsed.pathname && parsed.pathname !== '/') || parsed.hash) {
    throw new ImproperlyConfiguredError(
      'parseSmtpUrl: an SMTP URL has no path or fragment; expected smtp://user:pass@host:port?tls=true.',
    );
  }
  const options: SmtpEmailBackendOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
  };
  if (parsed.port) options.port = Number(parsed.port);
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'smtps:') options.useSsl = true;
  Object.assign(options, readQuery(parsed.searchParams));
  if (options.useSsl && options.useTls) {
    throw new ImproperlyConfiguredError(
      'parseSmtpUrl: smtps:// is already implicit TLS; drop ?tls=true, or use smtp:// with ?tls=true for STARTTLS.',
    );
  }
  return options;
}

function readQuery(query: URLSearchParams): SmtpEmailBackendOptions {
  const seen = new Map<Parameter, string>();
  for (const given of query.keys()) {
    const name = Object.hasOwn(ALIASES, given) ? ALIASES[given] : given;
    if (!Object.hasOwn(PARAMETERS, name)) {
      throw new ImproperlyConfiguredError(
        `parseSmtpUrl: unknown query parameter "${given}"; ${ACCEPTED}.`,
      );
    }
    const first = seen.get(name as Parameter);
    if (first !== undefined) {
      throw new ImproperlyConfiguredError(
        `parseSmtpUrl: query parameter "${given}" is given more than once` +
          (first === given ? '' : ` (as "${first}" too)`) +
          '; give it once.',
      );
    }
    seen.set(name as Parameter, given);
  }
  const options: SmtpEmailBackendOptions = {};
  for (const [name, given] of seen) {
    const value = query.get(given)!;
    if (name === 'tls') options.useTls = readBoolean(given, value);
    else if (name === 'timeout')
      options.timeout = readNumber(given, value, /^\d+(\.\d+)?$/);
    else options.concurrency = readNumber(given, value, /^[1-9]\d*$/);
  }
  return options;
}

function readBoolean(name: string, value: string): boolean {
  const result = BOOLEANS[value.toLowerCase()];
  if (result === undefined) throw badValue(name, value, PARAMETERS.tls);
  return result;
}

function readNumber(name: string, value: string, pattern: RegExp): number {
  const result = Number(value);
  if (!pattern.test(value) || !(result > 0)) {
    throw badValue(name, value, PARAMETERS[name as Parameter]);
  }
  return result;
}

function badValue(name: string, value: string, expected: string) {
  return new ImproperlyConfiguredError(
    `parseSmtpUrl: query parameter "${name}" is ${JSON.stringify(value)}, which is not valid; expected ${expected}.`,
  );
}
