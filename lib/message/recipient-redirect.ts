import { InvalidAddressError } from '../errors/invalid-address.error.js';
import { parseMailbox, type Mailbox } from './address.js';
import type { RootHeader } from './mime-builder.js';

/**
 * Delivers every message to fixed addresses instead of its recipients, for
 * development and staging. Recipients that match `allow` still get the
 * message; the original recipients are kept in `X-Original-To`,
 * `X-Original-Cc` and `X-Original-Bcc` headers.
 *
 * `X-Original-Bcc` is visible to everyone who receives the redirected copy
 * (the redirect addresses and allowed recipients): Bcc is not blind while a
 * redirect is on.
 *
 * @example
 * { to: ['qa@example.com'], allow: ['@example.com', /^test\+.*@example\.org$/] }
 */
export interface RecipientRedirect {
  /** Addresses that receive every message in place of the recipients that are not allowed. At least one. */
  to: string[];
  /**
   * Recipients still delivered to: an exact address (`'ann@example.com'`,
   * case-insensitive), a domain (`'@example.com'`, that domain only, not its
   * subdomains), or a RegExp tested against the bare address (an
   * internationalised domain in its ASCII `xn--` form).
   * @default []
   */
  allow?: Array<string | RegExp>;
}

/** The recipients of one message after a {@link RecipientRedirect}. */
export interface RedirectedRecipients {
  /** Shown in `To` and delivered: allowed `to` recipients, then the redirect addresses. */
  to: Mailbox[];
  /** Shown in `Cc` and delivered: allowed `cc` recipients not already in `to`. */
  cc: Mailbox[];
  /** Delivered only: allowed `bcc` recipients not already in `to` or `cc`. */
  bcc: Mailbox[];
  /** `X-Original-To`, `-Cc` and `-Bcc`: the bare original addresses, for the lists that were not empty. */
  headers: RootHeader[];
}

/** The allow-list entries checked and normalised once per use. */
interface CheckedRedirect {
  to: Mailbox[];
  addresses: Set<string>;
  domains: Set<string>;
  patterns: RegExp[];
}

/** Names of the headers that keep the original recipients, lower-cased. */
export const ORIGINAL_RECIPIENT_HEADERS = new Set([
  'x-original-to',
  'x-original-cc',
  'x-original-bcc',
]);

/**
 * Checks a redirect: at least one valid `to` address, and allow-list entries
 * that are addresses, `@domain`s or RegExps.
 *
 * @throws TypeError for a wrong shape; InvalidAddressError for a bad address.
 */
export function checkRedirect(redirect: RecipientRedirect): CheckedRedirect {
  if (
    typeof redirect !== 'object' ||
    redirect === null ||
    !Array.isArray(redirect.to) ||
    !redirect.to.length
  ) {
    throw new TypeError(
      "redirect.to must be a non-empty array of addresses, e.g. { to: ['qa@example.com'] }",
    );
  }
  const allow = redirect.allow ?? [];
  if (!Array.isArray(allow))
    throw new TypeError(
      "redirect.allow must be an array of addresses, '@domain's or RegExps",
    );
  const checked: CheckedRedirect = {
    to: redirect.to.map((item) => parseMailbox(item, 'redirect.to')),
    addresses: new Set(),
    domains: new Set(),
    patterns: [],
  };
  for (const entry of allow) {
    if (entry instanceof RegExp) checked.patterns.push(entry);
    else if (typeof entry === 'string' && entry.startsWith('@'))
      checked.domains.add(allowedDomain(entry));
    else if (typeof entry === 'string')
      checked.addresses.add(
        parseMailbox(entry, 'redirect.allow').address.toLowerCase(),
      );
    else
      throw new TypeError(
        `redirect.allow entries must be strings or RegExps, got ${typeof entry}`,
      );
  }
  return checked;
}

/**
 * Applies a redirect to the parsed recipients of one message. Delivered
 * addresses are unique (case-insensitive); the originals go to the headers.
 */
export function redirectRecipients(
  redirect: RecipientRedirect,
  original: { to: Mailbox[]; cc: Mailbox[]; bcc: Mailbox[] },
): RedirectedRecipients {
  const checked = checkRedirect(redirect);
  const allowed = (mailbox: Mailbox) => {
    const address = mailbox.address.toLowerCase();
    return (
      checked.addresses.has(address) ||
      checked.domains.has(domainOf(address)) ||
      checked.patterns.some((pattern) => {
        pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
        return pattern.test(mailbox.address);
      })
    );
  };
  const seen = new Set<string>();
  const unseen = (mailbox: Mailbox) => {
    const key = mailbox.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const headers: RootHeader[] = [];
  for (const [name, list] of [
    ['X-Original-To', original.to],
    ['X-Original-Cc', original.cc],
    ['X-Original-Bcc', original.bcc],
  ] as const) {
    if (list.length)
      headers.push([name, list.map((mailbox) => mailbox.address).join(', ')]);
  }
  return {
    to: [...original.to.filter(allowed), ...checked.to].filter(unseen),
    cc: original.cc.filter(allowed).filter(unseen),
    bcc: original.bcc.filter(allowed).filter(unseen),
    headers,
  };
}

/** The ASCII form of an `'@domain'` allow-list entry. */
function allowedDomain(entry: string): string {
  try {
    return domainOf(parseMailbox(`x${entry}`, 'redirect.allow').address);
  } catch (err) {
    if (!(err instanceof InvalidAddressError)) throw err;
    throw new InvalidAddressError(
      entry,
      `not a valid '@domain' allow-list entry (${err.reason})`,
    );
  }
}

/** The domain of a bare address, lower-cased; `''` for a bare local part. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
