import { ImproperlyConfiguredError } from '../../errors/improperly-configured.error.js';
import type { BaseEmailBackend } from '../base.backend.js';

/** A mailer made of other mailers, as far as binding is concerned. */
interface Composite extends BaseEmailBackend {
  readonly mailers: readonly string[];
}

function isComposite(backend: BaseEmailBackend): backend is Composite {
  return (
    typeof backend.bindMailers === 'function' &&
    Array.isArray((backend as { mailers?: unknown }).mailers)
  );
}

/**
 * Looks up every member of `composite` by alias, refusing an unknown alias
 * and a chain of composites that leads back to `composite` (a send would
 * never end).
 * @internal
 */
export function bindMembers(
  composite: Composite,
  lookup: (alias: string) => BaseEmailBackend,
): Map<string, BaseEmailBackend> {
  const self = composite.alias;
  const where = `Mailer '${self}' (${composite.constructor.name})`;
  const members = new Map<string, BaseEmailBackend>();
  for (const alias of composite.mailers) {
    if (alias === self) {
      throw new ImproperlyConfiguredError(
        `${where} lists itself in "mailers"; list the mailers it sends through instead.`,
      );
    }
    try {
      members.set(alias, lookup(alias));
    } catch (err) {
      throw new ImproperlyConfiguredError(
        `${where}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  const seen = new Set<string>();
  const visit = (alias: string, path: string[]): void => {
    if (seen.has(alias)) return;
    seen.add(alias);
    let backend: BaseEmailBackend;
    try {
      backend = lookup(alias);
    } catch {
      return; // reported by the composite that lists it
    }
    if (!isComposite(backend)) return;
    for (const next of backend.mailers) {
      if (next === self) {
        throw new ImproperlyConfiguredError(
          `${where} sends through itself: ${[self, ...path, alias, self].map((a) => `'${a}'`).join(' -> ')}. Remove one of these links.`,
        );
      }
      visit(next, [...path, alias]);
    }
  };
  for (const alias of composite.mailers) visit(alias, []);
  return members;
}
