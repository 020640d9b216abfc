import { describe, expect, it } from '@jest/globals';
import { parseSmtpUrl } from '../../lib/backends/smtp-url.js';
import { ImproperlyConfiguredError } from '../../lib/errors/improperly-configured.error.js';

/** The error parseSmtpUrl throws for `url` (fails the test if it throws none). */
function refusal(url: string): ImproperlyConfiguredError {
  try {
    parseSmtpUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(ImproperlyConfiguredError);
    expect((err as Error).message).not.toContain('sekrit');
    return err as ImproperlyConfiguredError;
  }
  throw new Error(`parseSmtpUrl accepted ${url}`);
}

describe('parseSmtpUrl is strict: a typo never turns TLS off', () => {
  // Before: each of these parsed to useTls: false, and the password went out in plain text.
  it.each([
    ['ture', 'tls=ture'],
    ['required', 'tls=required'],
    ['%20true', 'tls=%20true'],
    ['empty', 'tls='],
    ['TRUE%0A', 'tls=TRUE%0A'],
    ['starttls=enable', 'starttls=enable'],
  ])('refuses a value that is not a boolean (%s)', (_, query) => {
    const name = query.split('=')[0];
    const err = refusal(`smtp://u:sekrit@mail.example.com:587?${query}`);
    expect(err.message).toContain(`query parameter "${name}"`);
    expect(err.message).toMatch(
      /expected true, false, 1, 0, yes, no, on or off\.$/,
    );
  });

  it('shows the refused value with its whitespace', () => {
    expect(refusal('smtp://h?tls=%20true').message).toContain('" true"');
  });

  it.each([
    'tls=true&tls=0',
    'tls=true&tls=true',
    'timeout=5&timeout=10',
    'concurrency=2&concurrency=3',
  ])('refuses a parameter given twice (%s)', (query) => {
    const name = query.split('=')[0];
    expect(refusal(`smtp://u:sekrit@h?${query}`).message).toBe(
      `parseSmtpUrl: query parameter "${name}" is given more than once; give it once.`,
    );
  });

  it('counts starttls and tls as the same parameter', () => {
    expect(refusal('smtp://h?tls=1&starttls=0').message).toBe(
      'parseSmtpUrl: query parameter "starttls" is given more than once (as "tls" too); give it once.',
    );
  });

  it.each(['ssl=true', 'secure=1', 'toString=1', 'constructor=1', 'TLS=true'])(
    'refuses an unknown parameter (%s), saying what is accepted',
    (query) => {
      const err = refusal(`smtp://u:sekrit@h?${query}`);
      expect(err.message).toContain(
        `unknown query parameter "${query.split('=')[0]}"`,
      );
      expect(err.message).toMatch(
        /accepted: tls or starttls \(STARTTLS: .*\), timeout \(.*\), concurrency \(.*\)\.$/,
      );
    },
  );

  it.each([
    ['timeout', 'abc'],
    ['timeout', '0'],
    ['timeout', '-5'],
    ['timeout', '1e3'],
    ['timeout', ''],
    ['concurrency', '0'],
    ['concurrency', '2.5'],
    ['concurrency', ' 2'],
  ])('refuses %s=%j', (name, value) => {
    const err = refusal(`smtp://h?${name}=${encodeURIComponent(value)}`);
    expect(err.message).toContain(
      `query parameter "${name}" is ${JSON.stringify(value)}, which is not valid`,
    );
  });

  it('refuses a path or a fragment', () => {
    expect(refusal('smtp://u:sekrit@h/inbox').message).toMatch(/no path/);
    expect(refusal('smtp://h#tls=true').message).toMatch(/no path/);
  });

  it('reads every accepted spelling', () => {
    for (const value of ['true', 'TRUE', 'True', '1', 'yes', 'on'])
      expect(parseSmtpUrl(`smtp://h?tls=${value}`).useTls).toBe(true);
    for (const value of ['false', 'False', '0', 'no', 'OFF'])
      expect(parseSmtpUrl(`smtp://h?starttls=${value}`).useTls).toBe(false);
    expect(
      parseSmtpUrl('smtp://h:2525/?tls=1&timeout=2.5&concurrency=3'),
    ).toEqual({
      host: 'h',
      port: 2525,
      useTls: true,
      timeout: 2.5,
      concurrency: 3,
    });
  });
});
