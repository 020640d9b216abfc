import type { Type } from '@nestjs/common';
import { BaseEmailBackend } from './backends/base.backend.js';
import { ConsoleEmailBackend } from './backends/console.backend.js';
import { DummyEmailBackend } from './backends/dummy.backend.js';
import { FileEmailBackend } from './backends/file.backend.js';
import { LocmemEmailBackend } from './backends/locmem.backend.js';
import { NodemailerTransportBackend } from './backends/nodemailer-transport.backend.js';
import { SmtpEmailBackend } from './backends/smtp.backend.js';
import { parseSmtpUrl } from './backends/smtp-url.js';
import { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
import type {
  BackendName,
  MailerConfig,
} from './interfaces/mail-module-options.interface.js';
import type { MailSettings } from './mail-settings.js';
import type { MailOutbox } from './testing/mail-outbox.js';

const BACKENDS: Record<BackendName, Type<BaseEmailBackend>> = {
  smtp: SmtpEmailBackend,
  console: ConsoleEmailBackend,
  file: FileEmailBackend,
  locmem: LocmemEmailBackend,
  dummy: DummyEmailBackend,
  nodemailer: NodemailerTransportBackend,
};

/** What a new backend needs besides its own options. */
export interface BackendContext {
  settings: MailSettings;
  outbox: MailOutbox;
  /** Mailer alias; `null` for a connection from `getConnection()`. */
  alias: string | null;
}

/** Resolves a backend name or class, with an error that lists the choices. */
export function backendClass(
  backend: MailerConfig['backend'],
  alias: string | null,
): Type<BaseEmailBackend> {
  if (backend === undefined) return SmtpEmailBackend;
  if (
    typeof backend === 'function' &&
    backend.prototype instanceof BaseEmailBackend
  )
    return backend;
  if (typeof backend === 'string' && Object.hasOwn(BACKENDS, backend))
    return BACKENDS[backend as BackendName];
  throw new ImproperlyConfiguredError(
    `${where(alias)}unknown backend ${typeof backend === 'function' ? backend.name : JSON.stringify(backend)}: ` +
      `use one of ${Object.keys(BACKENDS).join(', ')}, or a class that extends BaseEmailBackend.`,
  );
}

/**
 * Creates a backend from its configuration. Constructor errors (a file backend
 * without `filePath`, SSL and TLS together) are re-thrown naming the mailer.
 */
export function createBackend(
  config: MailerConfig,
  context: BackendContext,
): BaseEmailBackend {
  const Backend = backendClass(config.backend, context.alias);
  let options: object = config.options ?? {};
  if (
    Backend === SmtpEmailBackend &&
    'url' in options &&
    options.url !== undefined
  ) {
    const { url, ...rest } = options as { url: string };
    options = { ...parseSmtpUrl(url), ...rest };
  }
  let backend: BaseEmailBackend;
  try {
    backend =
      Backend === LocmemEmailBackend
        ? new LocmemEmailBackend(options, context.outbox)
        : new (Backend as new (options: object) => BaseEmailBackend)(options);
  } catch (err) {
    if (err instanceof ImproperlyConfiguredError || !(err instanceof Error))
      throw err;
    throw new ImproperlyConfiguredError(
      `${where(context.alias)}${err.message}`,
    );
  }
  return configure(backend, context);
}

/** Gives a backend the module's message settings (recipient redirect included) and its alias. */
export function configure(
  backend: BaseEmailBackend,
  context: BackendContext,
): BaseEmailBackend {
  backend.alias = context.alias;
  const { dkim } = backend.messageSettings;
  backend.messageSettings = {
    defaultFromEmail: context.settings.defaultFromEmail,
    defaultCharset: context.settings.defaultCharset,
    useLocaltime: context.settings.useLocaltime,
  };
  if (dkim) backend.messageSettings.dkim = dkim;
  if (context.settings.redirect)
    backend.messageSettings.redirect = context.settings.redirect;
  return backend;
}

function where(alias: string | null): string {
  return alias === null ? '' : `Mailer '${alias}': `;
}
