import { describe, expect, it } from '@jest/globals';
import { BaseEmailBackend } from '../../lib/backends/base.backend.js';
import type { EmailMessage } from '../../lib/message/email-message.js';

/** A user's own backend: keeps subjects and tracks its connection. */
class RecordingBackend extends BaseEmailBackend {
  readonly events: string[] = [];
  isOpen = false;

  async open(): Promise<boolean> {
    if (this.isOpen) return false;
    this.isOpen = true;
    this.events.push('open');
    return true;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.isOpen = false;
    this.events.push('close');
  }

  async sendMessages(messages: Iterable<EmailMessage>): Promise<number> {
    const opened = await this.open();
    let count = 0;
    for (const message of messages) {
      this.events.push(`send ${message.subject}`);
      count++;
    }
    if (opened) await this.close();
    return count;
  }
}

const fake = (subject: string) => ({ subject }) as EmailMessage;

describe('a backend extending BaseEmailBackend', () => {
  it('takes failSilently and starts with no alias or settings', () => {
    expect(new RecordingBackend().failSilently).toBe(false);
    const backend = new RecordingBackend({ failSilently: true });
    expect(backend.failSilently).toBe(true);
    expect(backend.alias).toBeNull();
    expect(backend.messageSettings).toEqual({});
  });

  it('is closed (and awaited) at the end of an `await using` block', async () => {
    const backend = new RecordingBackend();
    {
      await using conn = backend;
      await conn.open();
      await conn.sendMessages([fake('a'), fake('b')]);
      expect(conn.isOpen).toBe(true);
    }
    expect(backend.isOpen).toBe(false);
    expect(backend.events).toEqual(['open', 'send a', 'send b', 'close']);
  });

  it('is closed when the block throws', async () => {
    const backend = new RecordingBackend();
    await expect(
      (async () => {
        await using conn = backend;
        await conn.open();
        throw new Error('boom');
      })(),
    ).rejects.toThrow('boom');
    expect(backend.isOpen).toBe(false);
    expect(backend.events).toEqual(['open', 'close']);
  });

  it('has no-op open and close by default', async () => {
    class Minimal extends BaseEmailBackend {
      async sendMessages(messages: Iterable<EmailMessage>) {
        return [...messages].length;
      }
    }
    const backend = new Minimal();
    expect(await backend.open()).toBeUndefined();
    await backend.close();
    await backend[Symbol.asyncDispose]();
    expect(await backend.sendMessages([fake('x')])).toBe(1);
  });
});
