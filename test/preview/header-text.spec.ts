import { describe, expect, it } from '@jest/globals';
import { decodeWords } from '../../lib/preview/header-text.js';

describe('decodeWords (the preview shows headers as they were meant)', () => {
  it('decodes B and Q words, dropping the blanks between adjacent ones', () => {
    expect(decodeWords('=?UTF-8?Q?Zo=C3=AB_=C3=9Cnal?= <z@example.com>')).toBe(
      'Zoë Ünal <z@example.com>',
    );
    expect(decodeWords('=?utf-8?b?SGVsbG8=?= \r\n =?utf-8?q?_world?=')).toBe(
      'Hello world',
    );
    expect(decodeWords('=?iso-8859-1?q?caf=E9?= au lait')).toBe('café au lait');
  });

  it('keeps a character split across two words', () => {
    // 'ë' is C3 AB: one byte in each word.
    expect(decodeWords('=?utf-8?q?Zo=C3?= =?utf-8?q?=AB?=')).toBe('Zoë');
  });

  it('leaves plain text, quotes and unknown charsets alone', () => {
    expect(decodeWords('"Doe, Jane" <jane@example.com>')).toBe(
      '"Doe, Jane" <jane@example.com>',
    );
    expect(decodeWords('=?x-nonsense?q?abc?=')).toBe('=?x-nonsense?q?abc?=');
  });
});
