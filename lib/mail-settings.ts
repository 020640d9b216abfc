import { ImproperlyConfiguredError } from './errors/improperly-configured.error.js';
import type { MailModuleOptions } from './interfaces/mail-module-options.interface.js';
import { parseMailbox } from './message/address.js';
import { canonicalCharset } from './message/charset.js';
import type { MessageSettings } from './message/message-settings.js';
import { DEFAULT_MESSAGE_SETTINGS } from './message/message-settings.js';
import { checkRedirect } from './message/recipient-redirect.js';

/** The module's settings with defaults applied and checked. */
export interface MailSettings extends MessageSettings {
  serverEmail: string;
  admins: string[];
  managers: string[];
  subjectPrefix: string;
}

/**
 * Applies defaults to the module options and checks them, so a mistake fails
 * at startup with a message that says what to change.
 */
export function resolveMailSettings(options: MailModuleOptions): MailSettings {
  const settings: MailSettings = {
    defaultFromEmail:
      options.defaultFromEmail ?? DEFAULT_MESSAGE_SETTINGS.defaultFromEmail,
    defaultCharset:
      options.defaultCharset ?? DEFAULT_MESSAGE_SETTINGS.defaultCharset,
    useLocaltime: options.useLocaltime ?? DEFAULT_MESSAGE_SETTINGS.useLocaltime,
    serverEmail: options.serverEmail ?? 'root@localhost',
    admins: addressSetting(options.admins, 'admins'),
    managers: addressSetting(options.managers, 'managers'),
    subjectPrefix: options.subjectPrefix ?? '[Nest] ',
  };
  check('defaultFromEmail', () =>
    parseMailbox(settings.defaultFromEmail, 'defaultFromEmail'),
  );
  check('serverEmail', () => parseMailbox(settings.serverEmail, 'serverEmail'));
  check('defaultCharset', () => canonicalCharset(settings.defaultCharset));
  if (options.redirect !== undefined && options.redirect !== null) {
    const redirect = options.redirect;
    check('redirect', () => checkRedirect(redirect));
    settings.redirect = {
      to: [...redirect.to],
      allow: [...(redirect.allow ?? [])],
    };
  }
  return settings;
}

function addressSetting(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new ImproperlyConfiguredError(
      `The ${name} option must be an array of email address strings, e.g. ['Ops <ops@example.com>'].`,
    );
  }
  value.forEach((item) => check(name, () => parseMailbox(item, name)));
  return [...value];
}

function check(name: string, run: () => unknown): void {
  try {
    run();
  } catch (err) {
    throw new ImproperlyConfiguredError(
      `Invalid MailModule option ${name}: ${(err as Error).message}`,
    );
  }
}
