import type { Type } from '@nestjs/common';

/** One message a {@link MailPreviewSource} offers to the preview page. */
export interface PreviewMessageInput {
  /** Unique within its source; used in the page's URLs. */
  id: string;
  /** When the message was sent or received; the list is sorted by it, newest first. */
  receivedAt: Date;
  /** The whole message (RFC 5322 bytes). */
  raw: Buffer;
  /** The SMTP envelope, when known (shows Bcc recipients too). */
  envelope?: { from: string; to: string[] };
}

/**
 * Where the preview page reads mail from. `startDebugSmtpServer()` returns
 * one (`server.previewMessages()`); the app's `MailOutbox` is another
 * (the `'outbox'` source).
 *
 * @example
 * const source: MailPreviewSource = { previewMessages: () => server.messages };
 */
export interface MailPreviewSource {
  /** The messages to list; called on every page load. */
  previewMessages():
    Iterable<PreviewMessageInput> | Promise<Iterable<PreviewMessageInput>>;
}

/**
 * A source of the preview page: `'outbox'` (the app's `MailOutbox`, filled by
 * the `locmem` backend), an object with `previewMessages()`, or the class of
 * a provider of the app that has one (looked up in the whole app, like
 * `app.get(Class, { strict: false })`).
 */
export type MailPreviewSourceOption =
  'outbox' | MailPreviewSource | Type<MailPreviewSource>;

/** Options of `MailPreviewModule.register()`. */
export interface MailPreviewModuleOptions {
  /**
   * Where the page is mounted (below the app's global prefix, if any).
   * @default '/_mail'
   */
  path?: string;
  /**
   * Where the listed mail comes from, merged into one list, newest first.
   * @default ['outbox']
   * @example sources: ['outbox', DevMailServer]
   */
  sources?: MailPreviewSourceOption[];
  /**
   * Load even when `NODE_ENV` is `'production'`. The page shows every mail
   * the app sent (password-reset links included) to anyone who can reach
   * it: only force it on a deployment that is not public.
   * @default false
   */
  force?: boolean;
}
