import type { AddressObject, ParsedMail } from 'mailparser';
import { headerText } from './header-text.js';
import type { PreviewEntry } from './mail-preview.service.js';
import { markup, SafeHtml } from './preview-html.js';

const STYLE = new SafeHtml(`
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 24px}header h1{font-size:18px;margin:4px 0 0}
header a{color:#9ecbff}header .muted{color:#d0d7de}main{padding:16px 24px;max-width:1100px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#eaeef2;font-weight:600}td.time{white-space:nowrap;color:#57606a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;padding:12px;border:1px solid #d0d7de}
dt{font-weight:600;color:#57606a}dd{margin:0;word-break:break-all}h2{font-size:15px;margin:20px 0 8px}
.frame{resize:vertical;overflow:hidden;height:70vh;min-height:160px;border:1px solid #d0d7de;background:#fff}
.frame iframe{display:block;width:100%;height:100%;border:0}
.note{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;margin:0 0 8px}
.source{display:inline-block;white-space:nowrap;padding:0 6px;border:1px solid #d0d7de;border-radius:10px;font-size:12px;color:#1f2328;background:#eaeef2}
pre{background:#fff;border:1px solid #d0d7de;padding:12px;overflow:auto;white-space:pre-wrap;word-break:break-all}
.error{background:#ffebe9;border:1px solid #cf222e;padding:8px 12px;white-space:pre-wrap;word-break:break-word}
nav.choices{margin:8px 0}nav.choices a,nav.choices strong{margin-right:10px}
.empty,.muted{color:#57606a}ul.files{background:#fff;border:1px solid #d0d7de;padding:8px 28px}
`);

/** Which list a page links back to: the sent mail, or the templates. */
export type PreviewList = 'mail' | 'templates';

/** A whole page of the preview: the shared style, a dark header and the body. */
export function page(title: string, header: SafeHtml, body: SafeHtml): string {
  return markup`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>${title}</title><style>${STYLE}</style></head>
<body><header>${header}</header><main>${body}</main></body>
</html>
`.value;
}

/** `2026-05-04 09:30:12 UTC`, with the ISO time in `datetime`. */
function time(date: Date): SafeHtml {
  const iso = date.toISOString();
  return markup`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** An address header as the message carries it (quotes and all), else mailparser's reading. */
function addresses(
  parsed: ParsedMail,
  name: 'from' | 'to' | 'cc' | 'reply-to',
): string {
  const raw = headerText(parsed, name);
  if (raw !== undefined) return raw;
  const value: AddressObject | AddressObject[] | undefined =
    name === 'reply-to' ? parsed.replyTo : parsed[name];
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.map((item) => item.text).join(', ');
}

/** Where a message came from, as a small label. */
function source(label: string): SafeHtml {
  return markup`<span class="source">${label}</span>`;
}

/** References to remote content: `src=`, `srcset=`, `background=`, `poster=`, `<link href=`, CSS `url()`. */
const REMOTE_REFERENCE =
  /(?:\b(?:src|srcset|background|poster)\s*=\s*["']?|<link\b[^>]*?\shref\s*=\s*["']?|url\(\s*["']?)\s*(?:https?:)?\/\//gi;

/** How many remote images, styles or other loads the HTML asks for (the frame blocks them all). */
export function countRemoteReferences(html: string): number {
  return html.match(REMOTE_REFERENCE)?.length ?? 0;
}

function subjectOf(parsed: ParsedMail): string {
  return parsed.subject || '(no subject)';
}

/**
 * The list page: one row per message, newest first; `templates` links the
 * template previews from the header.
 */
export function renderList(
  entries: PreviewEntry[],
  base: string,
  templates = false,
): string {
  const rows = entries.map(
    ({ key, parsed, receivedAt, source: label }) => markup`<tr>
<td class="time">${time(receivedAt)}</td>
<td><a href="${base}/m/${encodeURIComponent(key)}">${subjectOf(parsed)}</a></td>
<td>${addresses(parsed, 'from')}</td>
<td>${addresses(parsed, 'to')}</td>
<td>${parsed.attachments.length || ''}</td>
<td>${source(label)}</td>
</tr>
`,
  );
  const body = entries.length
    ? markup`<table>
<thead><tr><th>Time</th><th>Subject</th><th>From</th><th>To</th><th>Attachments</th><th>Source</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`
    : markup`<p class="empty">No mail yet. Send some and reload this page.</p>`;
  return page(
    'Sent mail',
    markup`${templates && markup`<a href="${base}/templates">Templates →</a>`}<h1>Sent mail</h1><span class="muted">${entries.length} message(s), newest first</span>`,
    body,
  );
}

/** The page of one message: headers, HTML (in a sandboxed iframe), text, attachments. */
export function renderMessage(entry: PreviewEntry, base: string): string {
  const { parsed, envelope, key } = entry;
  const self = `${base}/m/${encodeURIComponent(key)}`;
  const files = parsed.attachments.map(
    (
      file,
      index,
    ) => markup`<li><a href="${self}/attachments/${index}" download>${file.filename || `attachment-${index + 1}`}</a>
<span class="muted">${file.contentType}, ${file.size} bytes${file.related ? ', inline' : ''}</span></li>
`,
  );
  const recipients = envelope?.to.map((to) => `<${to}>`).join(' ');
  const body = markup`<dl>
<dt>Subject</dt><dd>${subjectOf(parsed)}</dd>
<dt>From</dt><dd>${addresses(parsed, 'from')}</dd>
<dt>To</dt><dd>${addresses(parsed, 'to')}</dd>
${parsed.cc ? markup`<dt>Cc</dt><dd>${addresses(parsed, 'cc')}</dd>` : false}
${parsed.replyTo ? markup`<dt>Reply-To</dt><dd>${addresses(parsed, 'reply-to')}</dd>` : false}
<dt>Time</dt><dd>${time(entry.receivedAt)}</dd>
<dt>Source</dt><dd>${source(entry.source)}</dd>
${envelope ? markup`<dt>Envelope</dt><dd>MAIL FROM ${`<${envelope.from}>`} · RCPT TO ${recipients}</dd>` : false}
</dl>
${parsed.html ? htmlFrame(parsed.html, `${self}/html`) : false}
<h2>Text</h2>
${parsed.text ? markup`<pre class="text">${parsed.text}</pre>` : markup`<p class="empty">No text part.</p>`}
<h2>Attachments</h2>
${files.length ? markup`<ul class="files">${files}</ul>` : markup`<p class="empty">None.</p>`}
<h2>Headers</h2>
<pre class="headers">${parsed.headerLines.map((h) => h.line).join('\n')}</pre>
<p><a href="${self}/raw" download>Download .eml</a></p>`;
  return page(
    subjectOf(parsed),
    markup`<a href="${base}">← All mail</a><h1>${subjectOf(parsed)}</h1>`,
    body,
  );
}

/** The note above a frame whose HTML asks for remote content. */
function remoteNote(html: string): SafeHtml | false {
  const count = countRemoteReferences(html);
  return (
    count > 0 &&
    markup`<p class="note" role="note">Remote images blocked: this preview loads nothing from the network (${count} remote reference${count === 1 ? '' : 's'} in the HTML).</p>`
  );
}

/**
 * The HTML section of a message or rendered template: `html` served from
 * `src` in `<iframe sandbox="">`, under a note when it asks for remote content.
 */
export function htmlFrame(html: string, src: string): SafeHtml {
  return markup`<h2>HTML</h2>
${remoteNote(html)}
<div class="frame"><iframe sandbox="" src="${src}" title="HTML body" referrerpolicy="no-referrer"></iframe></div>`;
}

/** The page for a message, attachment, template or sample that is not (or no longer) there. */
export function renderNotFound(
  message: string,
  base: string,
  list: PreviewList = 'mail',
): string {
  const back =
    list === 'templates'
      ? markup`<a href="${base}/templates">← All templates</a> · <a href="${base}">Sent mail</a>`
      : markup`<a href="${base}">← All mail</a>`;
  return page(
    'Not found',
    markup`${back}<h1>Not found</h1>`,
    markup`<p class="empty">${message}</p>`,
  );
}

/** `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266), safe for any name. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
