import { randomFillSync } from 'node:crypto';
import { hostname } from 'node:os';
import { domainToASCII } from 'node:url';
import { BadHeaderError } from '../errors/bad-header.error.js';
import { forbidNewlines } from './address.js';

/** A value given in `headers`: text, or a `Date` rendered as RFC 5322 date-time. */
export type HeaderValue = string | Date;

/** Leaves room on the header's first line (998 octets) for the value. */
const MAX_NAME_LENGTH = 900;
// RFC 5322 §3.6.8: a field name is printable US-ASCII except ":".
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Headers that the MIME structure owns; setting them by hand would contradict it. */
const STRUCTURAL = new Set([
  'content-type',
  'content-transfer-encoding',
  'mime-version',
  'content-disposition',
]);

/** Validates one extra header name; returns it unchanged. */
export function checkHeaderName(name: string): string {
  forbidNewlines(name, `header name ${JSON.stringify(name)}`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new BadHeaderError(
      `Header name ${JSON.stringify(name.slice(0, 40) + '…')} is longer than ${MAX_NAME_LENGTH} characters`,
    );
  }
  if (!FIELD_NAME.test(name)) {
    throw new BadHeaderError(
      `Invalid header name ${JSON.stringify(name)}: use printable ASCII without spaces or ":"`,
    );
  }
  if (STRUCTURAL.has(name.toLowerCase())) {
    throw new BadHeaderError(
      `${name} is set from the message structure and cannot be given in headers; ` +
        'use contentSubtype, encoding, attach() or attachAlternative() instead',
    );
  }
  return name;
}

/** Validates one extra header value and renders it as text. */
export function headerText(
  name: string,
  value: HeaderValue,
  useLocaltime: boolean,
): string {
  if (value instanceof Date) return formatDate(value, useLocaltime);
  if (typeof value !== 'string') {
    throw new TypeError(
      `Header ${JSON.stringify(name)} must be a string or a Date, got ${typeof value}`,
    );
  }
  forbidNewlines(value, `header ${JSON.stringify(name)}`);
  return value;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Formats an RFC 5322 §3.3 date-time: `Sat, 28 Nov 2026 05:37:37 +0000`, in
 * UTC or, with `local`, in the process's time zone with its offset.
 */
export function formatDate(date: Date, local = false): string {
  if (Number.isNaN(date.getTime()))
    throw new TypeError('Cannot format an invalid Date as a mail header');
  const offset = local ? -date.getTimezoneOffset() : 0;
  const shifted = new Date(date.getTime() + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  return (
    `${DAYS[shifted.getUTCDay()]}, ${pad(shifted.getUTCDate())} ${MONTHS[shifted.getUTCMonth()]} ` +
    `${shifted.getUTCFullYear()} ${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:` +
    `${pad(shifted.getUTCSeconds())} ${zone}`
  );
}

let dnsName: string | undefined;

/** This host's name in ASCII (punycode), cached; `localhost` when it is not a valid domain. */
export function getDnsName(): string {
  if (dnsName === undefined) {
    const ascii = domainToASCII(hostname());
    dnsName = ascii && /^[A-Za-z0-9.-]+$/.test(ascii) ? ascii : 'localhost';
  }
  return dnsName;
}

/**
 * Makes a Message-ID in the form Python's `email.utils.make_msgid` uses:
 * `<time.pid.random@host>`.
 */
export function makeMsgid(domain = getDnsName()): string {
  return `<${Date.now()}.${process.pid}.${randomChunk().readBigUInt64BE()}@${domain}>`;
}

/** Random bytes drawn 8 at a time from a pool: one system call per 512 messages, not two per message. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** Eight fresh random bytes (a view of the pool: read them before the next call). */
export function randomChunk(): Buffer {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.subarray(poolAt - 8, poolAt);
}
