import { errorMessage } from './error-message.js';
import type {
  FunctionTemplate,
  ReactTemplateOutput,
  TemplateOutput,
} from './define-template.js';
import { MailTemplateRenderError } from './mail-template-render.error.js';
import type { CompiledFile, LoadedFileTemplate } from './file-templates.js';
import type { HtmlTools } from './html-tools.js';
import { localeChain } from './locale-chain.js';

/** A template rendered with a context: the parts of a mail. */
export interface RenderedTemplate {
  /** The subject, on one line. */
  subject: string;
  /** The text body (derived from `html` when the template has no text part). */
  text: string;
  /** The HTML alternative, CSS inlined; `undefined` for a text-only template. */
  html: string | undefined;
}

/** Renders file templates in a locale, with layouts, derived text and CSS inlining. */
export async function renderFileTemplate(
  template: LoadedFileTemplate,
  context: object,
  locale: string | undefined,
  fallbacks: readonly string[],
  tools: HtmlTools,
): Promise<RenderedTemplate> {
  const chain = localeChain(locale, fallbacks)
    .map((l) => template.variants.get(l))
    .filter((v) => v !== undefined);
  // The body's parts come from one locale, so a French HTML part never gets
  // an English text part; only the subject falls back on its own.
  const subjectFile = chain.find((v) => v.subject)!.subject!;
  const body = chain.find((v) => v.html || v.txt)!;
  const run = (file: CompiledFile, ctx: object) =>
    runFile(template.name, file, ctx);
  const subject = await run(subjectFile, context);
  let html = body.html ? await run(body.html, context) : undefined;
  if (html !== undefined && template.layout)
    html = await run(template.layout, { ...context, body: html });
  const text = body.txt ? await run(body.txt, context) : tools.toText!(html!);
  if (html !== undefined && template.inlineCss) html = tools.inlineCss!(html);
  return { subject: oneLine(subject), text, html };
}

/** Renders a function or React template. */
export async function renderFunctionTemplate(
  template: FunctionTemplate<object>,
  context: object,
  tools: HtmlTools,
  inlineByDefault: boolean,
): Promise<RenderedTemplate> {
  let output: TemplateOutput | ReactTemplateOutput;
  try {
    output = await template.render(context);
  } catch (err) {
    throw new MailTemplateRenderError(
      template.name,
      undefined,
      errorMessage(err),
      undefined,
      {
        cause: err,
      },
    );
  }
  let html =
    'element' in output
      ? await tools.renderReact!(output.element)
      : output.html;
  if (typeof output.subject !== 'string' || !output.subject.trim())
    throw new MailTemplateRenderError(
      template.name,
      undefined,
      'returned no subject',
    );
  if (html === undefined && output.text === undefined)
    throw new MailTemplateRenderError(
      template.name,
      undefined,
      'returned neither text nor html',
    );
  const text = output.text ?? tools.toText!(html!);
  if (html !== undefined && (template.settings.inlineCss ?? inlineByDefault))
    html = tools.inlineCss!(html);
  return { subject: oneLine(output.subject), text, html };
}

async function runFile(
  name: string,
  file: CompiledFile,
  context: object,
): Promise<string> {
  try {
    return await file.render(context);
  } catch (err) {
    const variable = file.engine.missingVariable?.(err);
    throw new MailTemplateRenderError(
      name,
      file.file,
      variable
        ? `the context has no '${variable}' (strict mode): pass it, or make the template optional about it`
        : errorMessage(err),
      variable,
      { cause: err },
    );
  }
}

/** A subject is one header line: line breaks of the template become spaces. */
function oneLine(subject: string): string {
  return subject.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
