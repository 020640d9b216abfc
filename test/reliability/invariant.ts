import { expect } from '@jest/globals';
import { simpleParser, type AddressObject } from 'mailparser';
import { domainToASCII } from 'node:url';
import { parseMailbox } from '../../lib/message/address.js';
import type { EmailMessage } from '../../lib/message/email-message.js';

/** What a sink received for one message: envelope plus the DATA bytes. */
export interface Received {
  mailFrom: string;
  rcptTo: string[];
  data: Buffer;
}

const bare = (address: string) => parseMailbox(address).address;

/** Header addresses as sent: mailparser shows IDN domains in Unicode, so map them back. */
function headerAddresses(value: AddressObject | AddressObject[] | undefined) {
  return [value ?? []]
    .flat()
    .flatMap((group) => group.value.map((mailbox) => mailbox.address ?? ''))
    .map((address) => {
      const at = address.lastIndexOf('@');
      const domain = address.slice(at + 1);
      return at < 0 || !/[^\x00-\x7f]/.test(domain)
        ? address
        : address.slice(0, at + 1) + domainToASCII(domain);
    });
}

const overridden = (msg: EmailMessage, name: string) =>
  Object.keys(msg.extraHeaders).some((key) => key.toLowerCase() === name);

/**
 * The invariant of every SMTP send: envelope sender = `fromEmail` (or
 * `defaultFrom`), envelope recipients = to + cc + bcc after IDN encoding
 * (minus the ones the server refused), the `From`/`To`/`Cc` headers agree
 * with them (unless overridden by `headers`), and no `Bcc` header is sent.
 */
export async function assertEnvelopeInvariant(
  sent: Received,
  msg: EmailMessage,
  {
    refused = [] as string[],
    defaultFrom = 'webmaster@localhost',
  }: { refused?: string[]; defaultFrom?: string } = {},
): Promise<void> {
  const from = bare(msg.fromEmail || defaultFrom);
  const to = msg.to.filter(Boolean).map(bare);
  const cc = msg.cc.filter(Boolean).map(bare);
  const bcc = msg.bcc.filter(Boolean).map(bare);
  expect(sent.mailFrom).toBe(from);
  expect(sent.rcptTo).toEqual(
    [...to, ...cc, ...bcc].filter((address) => !refused.includes(address)),
  );
  const parsed = await simpleParser(sent.data);
  if (!overridden(msg, 'from')) {
    expect(headerAddresses(parsed.from)).toEqual([from]);
  }
  if (!overridden(msg, 'to')) expect(headerAddresses(parsed.to)).toEqual(to);
  if (!overridden(msg, 'cc')) expect(headerAddresses(parsed.cc)).toEqual(cc);
  expect(parsed.headers.has('bcc')).toBe(false);
}

/** Offsets of CR not followed by LF, and of LF not preceded by CR. */
export function bareLineBreaks(bytes: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) found.push(i);
    if (bytes[i] === 0x0a && bytes[i - 1] !== 0x0d) found.push(i);
  }
  return found;
}
