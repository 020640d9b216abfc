import { isIPv4 } from 'node:net';
import type { MailPreviewClient } from './mail-preview.interfaces.js';

/** Headers a reverse proxy adds: their presence means the peer is not the client. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * Whether `address` is a loopback address: 127.0.0.0/8, `::1`, or an
 * IPv4-mapped 127.x address (`::ffff:127.0.0.1`, as a dual-stack socket
 * reports it).
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const lower = address.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower;
  return isIPv4(v4) && v4.split('.')[0] === '127';
}

/** The first proxy header the request carries, if any. */
export function forwardingHeader(
  headers: MailPreviewClient['headers'],
): string | undefined {
  return FORWARDING_HEADERS.find((name) => headers[name] !== undefined);
}

/**
 * The preview page's default `allow`: a loopback peer whose request carries
 * no proxy header (`Forwarded`, `X-Forwarded-For`, `X-Real-IP`).
 *
 * @example allow: (client) => isLoopbackClient(client) || client.remoteAddress === '10.0.0.7'
 */
export function isLoopbackClient(client: MailPreviewClient): boolean {
  return (
    isLoopbackAddress(client.remoteAddress) &&
    forwardingHeader(client.headers) === undefined
  );
}
