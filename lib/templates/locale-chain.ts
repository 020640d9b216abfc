import { normalizeLocale } from './template-files.js';

/**
 * Locales to try for `locale`, best first, ending with `''` (the
 * unlocalised files): `fr-CA` -> `fr-ca`, `fr`, then each fallback and its
 * language, then `''`.
 */
export function localeChain(
  locale: string | undefined,
  fallbacks: readonly string[],
): string[] {
  const chain: string[] = [];
  const add = (value: string | undefined): void => {
    if (!value) return;
    const normal = normalizeLocale(value);
    for (const candidate of [normal, normal.split('-')[0]])
      if (!chain.includes(candidate)) chain.push(candidate);
  };
  add(locale);
  for (const fallback of fallbacks) add(fallback);
  chain.push('');
  return chain;
}
