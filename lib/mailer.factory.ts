import type { Type } from '@nestjs/common';
import { ATTACH_CONTEXT, BaseEmailBackend } from './backends/base.backend.js';
import type { MailerContext } from './backends/mailer-context.js';
import { ConsoleEmailBackend } from './backends/console.backend.js';
import { DummyEmailBackend } from './backends/dummy.backend.js';
import { FileEmailBackend } from './backends/file.backend.js';
import { LocmemEmailBackend } from './backends/locmem.backend.js';
import { NodemailerTransportBackend } from './backends/nodemailer-transport.backend.js';
import { SmtpEmailBackend } from './backends/smtp.backend.js';
import { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
import type {
  BackendName,
  MailerConfig,
} from './interfaces/mail-module-options.interface.js';
import type { MailSettings } from './mail-settings.js';
import type { MessageSettings } from './message/message-settings.js';

const BACKENDS: Record<BackendName, Type<BaseEmailBackend>> = {
  smtp: SmtpEmailBackend,
  console: ConsoleEmailBackend,
  file: FileEmailBackend,
  locmem: LocmemEmailBackend,
  dummy: DummyEmailBackend,
  nodemailer: NodemailerTransportBackend,
};

/**
 * Resolves a backend name or class as `MailModule` does.
 * @throws ImproperlyConfiguredError that lists the choices, naming the mailer.
 */
export function resolveBackendClass(
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
 * Creates a backend from its configuration, passing the context to its
 * constructor (and attaching it afterwards to a user's class that does not
 * pass it on). Constructor errors (a file backend without `filePath`, SSL and
 * TLS together) are re-thrown naming the mailer.
 */
export function createBackend(
  config: MailerConfig,
  context: MailerContext,
): BaseEmailBackend {
  const Backend = resolveBackendClass(config.backend, context.alias);
  const options: object = config.options ?? {};
  try {
    const backend = new (
      Backend as new (
        options: object,
        context: MailerContext,
      ) => BaseEmailBackend
    )(options, context);
    return backend[ATTACH_CONTEXT](context);
  } catch (err) {
    if (err instanceof ImproperlyConfiguredError || !(err instanceof Error))
      throw err;
    throw new ImproperlyConfiguredError(
      `${where(context.alias)}${err.message}`,
    );
  }
}

/** The part of the module settings a backend renders messages with. */
export function messageSettingsOf(
  settings: MailSettings,
): Partial<MessageSettings> {
  const { defaultFromEmail, defaultCharset, useLocaltime, redirect } = settings;
  return Object.freeze({
    defaultFromEmail,
    defaultCharset,
    useLocaltime,
    ...(redirect && { redirect }),
  });
}

function where(alias: string | null): string {
  return alias === null ? '' : `Mailer '${alias}': `;
}
