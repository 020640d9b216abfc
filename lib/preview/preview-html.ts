/** Markup that is already safe to emit: built by {@link markup}, never by hand from input. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** Escapes text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.codePointAt(0)};`);
}

/**
 * A template tag that escapes every interpolated value, except nested
 * {@link SafeHtml} (from another `markup` call); arrays are joined, and
 * `null`, `undefined` and `false` print nothing. (Not named `html`, so
 * Prettier leaves the templates as written.)
 *
 * @example markup`<td>${subject}</td>` // a subject of '<script>' prints as text
 */
export function markup(
  strings: TemplateStringsArray,
  ...values: unknown[]
): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}
