import { describe, expect, it } from '@jest/globals';
import { InvalidAddressError } from '../../lib/errors/invalid-address.error.js';
import { EmailMessage } from '../../lib/message/email-message.js';
import type { RecipientRedirect } from '../../lib/message/recipient-redirect.js';
import { render } from './helpers.js';

const make = (headers: Record<string, string> = {}) =>
  new EmailMessage(
    'Hi',
    'Body',
    'from@example.com',
    ['Ann <ann@customer.test>', 'bob@staff.example'],
    {
      cc: ['carl@customer.test', 'Dee <DEE@staff.example>'],
      bcc: ['eve@customer.test', 'qa@staff.example'],
      replyTo: ['help@example.com'],
      headers,
    },
  );
const QA: RecipientRedirect = { to: ['QA Team <qa@staff.example>'] };
const addresses = (value: unknown) =>
  [value ?? []]
    .flat()
    .flatMap((group) => (group as { value: { address: string }[] }).value)
    .map((mailbox) => mailbox.address);

describe('recipient redirect', () => {
  it('delivers only to the redirect addresses and keeps the originals in X-Original-*', async () => {
    const { mime, parsed, raw } = await render(make(), { redirect: QA });
    expect(mime.envelope).toEqual({
      from: 'from@example.com',
      to: ['qa@staff.example'],
    });
    expect(addresses(parsed.to)).toEqual(['qa@staff.example']);
    expect(parsed.cc).toBeUndefined();
    expect(mime.get('X-Original-To')).toBe(
      'ann@customer.test, bob@staff.example',
    );
    expect(mime.get('X-Original-Cc')).toBe(
      'carl@customer.test, DEE@staff.example',
    );
    expect(mime.get('X-Original-Bcc')).toBe(
      'eve@customer.test, qa@staff.example',
    );
    expect(parsed.headers.get('x-original-to')).toBe(
      'ann@customer.test, bob@staff.example',
    );
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(addresses(parsed.replyTo)).toEqual(['help@example.com']);
  });

  it('keeps allowed recipients, in their own fields, without duplicates', async () => {
    const { mime, parsed } = await render(make(), {
      redirect: {
        to: ['qa@staff.example', 'QA@STAFF.example'],
        allow: ['@staff.example', 'Carl <Carl@Customer.test>', /^nobody@/],
      },
    });
    // bob and the redirect address in To, Carl and Dee in Cc; qa@ (also a Bcc) once.
    expect(addresses(parsed.to)).toEqual([
      'bob@staff.example',
      'qa@staff.example',
    ]);
    expect(addresses(parsed.cc)).toEqual([
      'carl@customer.test',
      'DEE@staff.example',
    ]);
    expect(mime.envelope.to).toEqual([
      'bob@staff.example',
      'qa@staff.example',
      'carl@customer.test',
      'DEE@staff.example',
    ]);
  });

  it('matches a RegExp against the bare address, even a global one', async () => {
    const pattern = /^(ann|eve)@customer\.test$/g;
    for (let i = 0; i < 2; i++) {
      const { mime } = await render(make(), {
        redirect: { to: ['qa@staff.example'], allow: [pattern] },
      });
      expect(mime.envelope.to).toEqual([
        'ann@customer.test',
        'qa@staff.example',
        'eve@customer.test',
      ]);
    }
  });

  it('matches an @domain exactly, not its subdomains or look-alikes', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', [
      'a@example.com',
      'b@sub.example.com',
      'c@notexample.com',
      '"x@example.com"@evil.test',
      'd@bücher.de',
    ]);
    const { mime } = await render(msg, {
      redirect: {
        to: ['qa@example.org'],
        allow: ['@Example.com', '@bücher.de'],
      },
    });
    expect(mime.envelope.to).toEqual([
      'a@example.com',
      'd@xn--bcher-kva.de',
      'qa@example.org',
    ]);
  });

  it('shows where the message went even when headers override To or Cc', async () => {
    const { mime, parsed } = await render(
      make({
        To: 'list@customer.test',
        Cc: 'other@customer.test',
        'X-Original-To': 'forged@example.com',
      }),
      { redirect: QA },
    );
    expect(addresses(parsed.to)).toEqual(['qa@staff.example']);
    expect(parsed.cc).toBeUndefined();
    expect(mime.get('X-Original-To')).toBe(
      'ann@customer.test, bob@staff.example',
    );
    expect(parsed.headers.get('x-original-to')).toBe(
      'ann@customer.test, bob@staff.example',
    );
  });

  it('still validates header overrides, as without a redirect', () => {
    expect(() =>
      make({ To: 'not an address' }).message({ redirect: QA }),
    ).toThrow(InvalidAddressError);
  });

  it('omits X-Original-* for empty lists, and changes nothing without a redirect', async () => {
    const msg = new EmailMessage('s', 'b', 'f@example.com', [
      'a@customer.test',
    ]);
    const redirected = msg.message({ redirect: QA });
    expect(redirected.get('X-Original-To')).toBe('a@customer.test');
    expect(redirected.get('X-Original-Cc')).toBeUndefined();
    expect(redirected.get('X-Original-Bcc')).toBeUndefined();
    const plain = make().message();
    expect(plain.get('X-Original-To')).toBeUndefined();
    expect(plain.envelope.to).toEqual([
      'ann@customer.test',
      'bob@staff.example',
      'carl@customer.test',
      'DEE@staff.example',
      'eve@customer.test',
      'qa@staff.example',
    ]);
  });

  it.each<[string, RecipientRedirect, new (...args: never[]) => Error]>([
    ['an empty to', { to: [] }, TypeError],
    ['an invalid to', { to: ['qa@'] }, InvalidAddressError],
    ['a bad @domain', { to: ['qa@x.test'], allow: ['@'] }, InvalidAddressError],
    [
      'a bad allow entry',
      { to: ['qa@x.test'], allow: [42 as unknown as string] },
      TypeError,
    ],
  ])('refuses %s when rendering', (_case, redirect, ErrorType) => {
    expect(() => make().message({ redirect })).toThrow(ErrorType);
  });
});
