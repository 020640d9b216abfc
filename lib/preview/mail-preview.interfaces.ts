import type {
  MailPreviewSamples,
  MailPreviewTemplates,
} from './template-preview.interfaces.js';

/** One message a {@link MailPreviewSource} offers to the preview page. */
export interface PreviewMessageInput {
  /** Unique within its source (the page shows it under a random key, never this id). */
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
 * const source: MailPreviewSource = {
 *   previewLabel: 'SMTP server',
 *   previewMessages: () => server.messages,
 * };
 */
export interface MailPreviewSource {
  /** The messages to list; called on every page load. */
  previewMessages():
    Iterable<PreviewMessageInput> | Promise<Iterable<PreviewMessageInput>>;
  /**
   * Where the messages came from, shown with each of them (`'outbox'`,
   * `'SMTP server'`, ...).
   * @default `'source <n>'`
   */
  readonly previewLabel?: string;
}

/**
 * A source of the preview page: `'outbox'` (the app's `MailOutbox`, filled by
 * the `locmem` backend), or an object with `previewMessages()` (a provider of
 * your app: inject it with `forRootAsync`).
 */
export type MailPreviewSourceOption = 'outbox' | MailPreviewSource;

/**
 * What the preview page knows of a client when it decides whether to answer
 * (see {@link MailPreviewModuleOptions.allow}).
 */
export interface MailPreviewClient {
  /**
   * The peer address of the TCP connection (`'127.0.0.1'`, `'::1'`,
   * `'::ffff:127.0.0.1'`, ...). Never taken from a header, whatever the
   * app's `trust proxy` setting.
   */
  remoteAddress: string | undefined;
  /** The request headers, lower-cased names (as Node gives them). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Options of `MailPreviewModule.forRoot()` (the value `forRootAsync` factories return). */
export interface MailPreviewModuleOptions {
  /**
   * Serve the page. Nothing else turns it on (no `NODE_ENV` sniffing):
   * tie it to your own development check. While it is not `true` every
   * route of the page answers 404, `mailparser` is not loaded and no source
   * is looked up, so a production install without dev dependencies boots.
   * Any value that is not a boolean fails at startup.
   *
   * @example enabled: process.env.NODE_ENV === 'development'
   */
  enabled: boolean;
  /**
   * Where the listed mail comes from, merged into one list, newest first.
   * @default ['outbox']
   * @example sources: ['outbox', devMailServer] // an instance, injected through forRootAsync
   */
  sources?: MailPreviewSourceOption[];
  /**
   * Which clients the page answers; every other one gets the same 404 as a
   * route that does not exist. The default answers loopback clients only
   * (see `isLoopbackClient`): a connection from 127.0.0.0/8, `::1` or
   * `::ffff:127.x.x.x` that carries no `Forwarded`, `X-Forwarded-For` or
   * `X-Real-IP` header (a reverse proxy on the same host would otherwise
   * make every visitor look local).
   *
   * The page shows every mail the app sent, password-reset links included:
   * widen this only for a deployment that is not public.
   *
   * @default isLoopbackClient
   * @example allow: (client) => isLoopbackClient(client) || client.remoteAddress === '10.0.0.7'
   * @example allow: () => true // any client: a private staging network only
   */
  allow?: (client: MailPreviewClient) => boolean | Promise<boolean>;
  /**
   * The app's templates, for the template previews at `<path>/templates`:
   * every template listed, and rendered with its `samples` in the browser
   * (nothing is sent). Pass the `MailTemplates` instance of
   * `nestjs-mail/templates`, injected through `forRootAsync`. Without it
   * there are no template previews.
   * @default undefined
   * @example inject: [MailTemplates], useFactory: (templates: MailTemplates) => ({ enabled: true, templates })
   */
  templates?: MailPreviewTemplates;
  /**
   * Sample contexts of the template previews, by template name, then by
   * sample name; each a context, or a function that returns one. Needs
   * `templates`.
   * @default {} (every template rendered with an empty context)
   * @example samples: { welcome: { default: { name: 'Ada' }, 'long name': () => ({ name: 'Maria Anna Sophia' }) } }
   */
  samples?: MailPreviewSamples;
}
