import { markup, type SafeHtml } from './preview-html.js';
import { htmlFrame, page } from './preview-pages.js';
import type {
  TemplatePreview,
  TemplatePreviewRow,
} from './template-preview.service.js';

/** What a template's page shows: which sample, in which locale. */
interface Choice {
  sample?: string;
  locale?: string;
}

/** `<base>/templates/<name>[/html]?sample=..&locale=..`, every part encoded. */
export function templateUrl(
  base: string,
  name: string,
  { sample, locale }: Choice = {},
  suffix = '',
): string {
  const query = new URLSearchParams();
  if (sample !== undefined) query.set('sample', sample);
  if (locale !== undefined) query.set('locale', locale);
  const search = query.size ? `?${query}` : '';
  return `${base}/templates/${encodeURIComponent(name)}${suffix}${search}`;
}

/** A locale as the page names it: `''` (the unlocalised variant) is the default. */
function localeLabel(locale: string | undefined): string {
  return locale ? locale : 'default';
}

/** The list of templates: name, kind, locales and samples, each sample a link. */
export function renderTemplateList(
  rows: TemplatePreviewRow[],
  unknown: string[],
  base: string,
): string {
  const body = rows.map(
    (row) => markup`<tr>
<td><a href="${templateUrl(base, row.name)}">${row.name}</a></td>
<td>${row.kind}</td>
<td>${row.locales.map(localeLabel).join(', ')}</td>
<td>${
      row.samples.length
        ? row.samples.map(
            (sample) =>
              markup`<a class="sample" href="${templateUrl(base, row.name, { sample })}">${sample}</a> `,
          )
        : markup`<span class="muted">none (empty context)</span>`
    }</td>
</tr>
`,
  );
  const note =
    unknown.length > 0 &&
    markup`<p class="note" role="note">Samples given for templates that do not exist: ${unknown.join(', ')}.</p>`;
  return page(
    'Templates',
    markup`<a href="${base}">← Sent mail</a><h1>Templates</h1><span class="muted">${rows.length} template(s), rendered with sample contexts; nothing is sent</span>`,
    markup`${note}${
      rows.length
        ? markup`<table>
<thead><tr><th>Template</th><th>Kind</th><th>Locales</th><th>Samples</th></tr></thead>
<tbody>
${body}</tbody>
</table>`
        : markup`<p class="empty">No templates.</p>`
    }`,
  );
}

/** Links to the template in each of `values`, the current one in bold. */
function choices(
  label: string,
  values: Array<{ text: string; href: string; current: boolean }>,
): SafeHtml | false {
  return (
    values.length > 0 &&
    markup`<nav class="choices" aria-label="${label}"><span class="muted">${label}:</span> ${values.map(
      ({ text, href, current }) =>
        current
          ? markup`<strong aria-current="page">${text}</strong>`
          : markup`<a href="${href}">${text}</a>`,
    )}</nav>`
  );
}

/** The context as JSON, for the page (a context JSON cannot show says so). */
function contextJson(context: object | undefined): string {
  try {
    return JSON.stringify(context, null, 2) ?? '(none)';
  } catch (err) {
    return `(cannot be shown as JSON: ${(err as Error).message})`;
  }
}

/** One template rendered with a sample: subject, HTML (sandboxed iframe), text; or the error. */
export function renderTemplatePreview(
  preview: TemplatePreview,
  base: string,
): string {
  const { template, sample, locale, rendered, error } = preview;
  const samples = choices(
    'Sample',
    template.samples.map((name) => ({
      text: name,
      href: templateUrl(base, template.name, { sample: name, locale }),
      current: name === sample,
    })),
  );
  const localised = template.locales.filter((l) => l !== '');
  const locales = choices(
    'Locale',
    localised.length
      ? [undefined, ...localised].map((l) => ({
          text: localeLabel(l),
          href: templateUrl(base, template.name, { sample, locale: l }),
          current: l === locale,
        }))
      : [],
  );
  const result = error
    ? markup`<h2>Error</h2><pre class="error" role="alert">${error}</pre>`
    : markup`<dl>
<dt>Subject</dt><dd class="subject">${rendered!.subject}</dd>
</dl>
${
  rendered!.html !== undefined
    ? htmlFrame(
        rendered!.html,
        templateUrl(base, template.name, { sample, locale }, '/html'),
      )
    : false
}
<h2>Text</h2>
<pre class="text">${rendered!.text}</pre>`;
  return page(
    template.name,
    markup`<a href="${base}/templates">← All templates</a><h1>${template.name}</h1><span class="muted">${template.kind} template · ${sample === undefined ? 'no sample: an empty context' : `sample ${sample}`}${locale === undefined ? '' : ` · locale ${locale}`}</span>`,
    markup`${samples}${locales}
${result}
<details><summary>Context</summary><pre class="context">${contextJson(preview.context)}</pre></details>`,
  );
}
