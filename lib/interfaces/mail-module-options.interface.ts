import type { Type } from '@nestjs/common';
import type {
  BaseEmailBackend,
  BaseEmailBackendOptions,
} from '../backends/base.backend.js';
import type { ConsoleEmailBackendOptions } from '../backends/console.backend.js';
import type { FileEmailBackendOptions } from '../backends/file.backend.js';
import type { NodemailerTransportBackendOptions } from '../backends/nodemailer-transport.backend.js';
import type { SmtpEmailBackendOptions } from '../backends/smtp.backend.js';
import type { RecipientRedirect } from '../message/recipient-redirect.js';

/** Names of the built-in backends. */
export type BackendName =
  'smtp' | 'console' | 'file' | 'locmem' | 'dummy' | 'nodemailer';

/** Options of the SMTP backend, `url` included. */
export type SmtpMailerOptions = SmtpEmailBackendOptions;

/** One mailer: which backend, and the options its constructor receives. */
export type MailerConfig =
  | { backend?: 'smtp'; options?: SmtpMailerOptions }
  | { backend: 'console'; options?: ConsoleEmailBackendOptions }
  | { backend: 'file'; options: FileEmailBackendOptions }
  | { backend: 'locmem' | 'dummy'; options?: BaseEmailBackendOptions }
  | { backend: 'nodemailer'; options: NodemailerTransportBackendOptions }
  | { backend: Type<BaseEmailBackend>; options?: object };

/** Settings shared by every mailer of the module (Django's email settings). */
export interface MailSettingsOptions {
  /**
   * Extra mailers by alias, chosen with `{ using: alias }` and injectable with
   * `@InjectMailer(alias)`. `'default'` is reserved for the top-level backend.
   */
  mailers?: Record<string, MailerConfig>;
  /**
   * Sender of messages whose `fromEmail` is empty.
   * @default 'webmaster@localhost'
   */
  defaultFromEmail?: string;
  /**
   * Sender of `mailAdmins` and `mailManagers`.
   * @default 'root@localhost'
   */
  serverEmail?: string;
  /**
   * Recipients of `mailAdmins`: address strings such as `'Ops <ops@example.com>'`.
   * @default []
   */
  admins?: string[];
  /**
   * Recipients of `mailManagers`.
   * @default []
   */
  managers?: string[];
  /**
   * Prefix of the subject of `mailAdmins` and `mailManagers` (Django's default is `'[Django] '`).
   * @default '[Nest] '
   */
  subjectPrefix?: string;
  /**
   * Charset of text bodies, alternatives and text attachments.
   * @default 'utf-8'
   */
  defaultCharset?: string;
  /**
   * `Date` headers in the server's time zone instead of UTC.
   * @default false
   */
  useLocaltime?: boolean;
  /**
   * Development and staging: deliver every message, from every mailer and
   * connection of the module (queued ones included), to `to` instead of its
   * recipients, except recipients that match `allow` (exact addresses,
   * `'@domain'`s or RegExps). The original recipients are kept in
   * `X-Original-To`, `X-Original-Cc` and `X-Original-Bcc` headers, which
   * every recipient of the redirected copy can read. The addresses are
   * checked at startup.
   *
   * @default undefined (mail goes to its recipients)
   * @example redirect: { to: ['qa@example.com'], allow: ['@example.com'] }
   */
  redirect?: RecipientRedirect;
}

/**
 * Options of `MailModule.forRoot()`: the default mailer (`backend`, `options`;
 * SMTP on localhost:25 when omitted) plus the shared settings.
 *
 * @example
 * MailModule.forRoot({ backend: 'smtp', options: { host: 'smtp.example.com', port: 587, useTls: true },
 *   defaultFromEmail: 'noreply@example.com', admins: ['ops@example.com'] })
 */
export type MailModuleOptions = MailerConfig & MailSettingsOptions;
