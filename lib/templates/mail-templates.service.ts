import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { EmailMultiAlternatives, type HeaderValue } from '../index.js';
import type { FunctionTemplate, TemplateHandle } from './define-template.js';
import { MailTemplateNotFoundError } from './mail-template-not-found.error.js';
import { MailTemplateError } from './mail-template.error.js';
import {
  loadFileTemplates,
  type LoadedFileTemplate,
} from './file-templates.js';
import { loadHtmlTools, type HtmlTools } from './html-tools.js';
import { MAIL_TEMPLATES_OPTIONS } from './mail-templates.module-definition.js';
import type { MailTemplatesOptions } from './mail-templates-options.interface.js';
import {
  renderFileTemplate,
  renderFunctionTemplate,
  type RenderedTemplate,
} from './template-renderer.js';

/** Who gets the mail, and how it is addressed, for {@link MailTemplates.message}. */
export interface TemplateMessageOptions {
  /** Recipients. */
  to: string[];
  /** Sender; the mailer's `defaultFromEmail` when left out. */
  fromEmail?: string;
  /** Copy recipients. */
  cc?: string[];
  /** Blind copy recipients (in the envelope, not in the headers). */
  bcc?: string[];
  /** Reply-To addresses. */
  replyTo?: string[];
  /** Extra headers, as for `EmailMessage`. */
  headers?: Record<string, HeaderValue>;
  /** Locale of the template (`'fr'`, `'pt-BR'`); see the module's `fallbackLocales`. */
  locale?: string;
}

/** One template, as {@link MailTemplates.list} describes it (for previews). */
export interface TemplateSummary {
  /** Its name, as given to `message` and `render`. */
  name: string;
  /** `'file'`, or `'function'` / `'react'` for templates as code. */
  kind: 'file' | 'function' | 'react';
  /** Locales it has files for, `''` for the unlocalised ones (empty for code). */
  locales: string[];
  /** Its files (empty for code). */
  files: string[];
}

/**
 * Turns a template and a context into a ready {@link EmailMultiAlternatives}:
 * subject, text body, HTML alternative. Add attachments or headers, then send
 * it with `MailService.send` or any mailer.
 *
 * Every file template is found and compiled when the module starts; a
 * missing directory, partial, layout or subject, or a template that does not
 * compile, stops the application with a {@link MailTemplateError}.
 *
 * @example
 * const msg = await templates.message<WelcomeContext>('welcome', { name: 'Ada' }, { to: ['ada@example.com'] });
 * await mail.send(msg);
 */
@Injectable()
export class MailTemplates implements OnModuleInit {
  private files = new Map<string, LoadedFileTemplate>();
  private functions = new Map<string, FunctionTemplate<object>>();
  private tools: HtmlTools = {};
  private loaded?: Promise<void>;

  constructor(
    @Inject(MAIL_TEMPLATES_OPTIONS)
    private readonly options: MailTemplatesOptions,
  ) {}

  /** Finds, compiles and checks every template, and loads the engines they need. */
  onModuleInit(): Promise<void> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  /**
   * Builds the mail of a template.
   *
   * @param template its name, or a handle from `defineTemplate` / `mailTemplate` / `reactTemplate`
   * @param context the values the template reads
   * @throws MailTemplateNotFoundError for an unknown name; MailTemplateRenderError when
   *   rendering fails (in strict mode, a missing variable, named)
   */
  async message<C extends object>(
    template: string | TemplateHandle<C>,
    context: C,
    options: TemplateMessageOptions,
  ): Promise<EmailMultiAlternatives> {
    const { subject, text, html } = await this.render(
      template,
      context,
      options,
    );
    const message = new EmailMultiAlternatives(
      subject,
      text,
      options.fromEmail,
      options.to,
      {
        cc: options.cc,
        bcc: options.bcc,
        replyTo: options.replyTo,
        headers: options.headers,
      },
    );
    if (html !== undefined) message.attachAlternative(html, 'text/html');
    return message;
  }

  /**
   * Renders a template without building a message: what a preview shows.
   *
   * @example const { subject, html } = await templates.render('welcome', sample, { locale: 'fr' });
   */
  async render<C extends object>(
    template: string | TemplateHandle<C>,
    context: C,
    options: { locale?: string } = {},
  ): Promise<RenderedTemplate> {
    await this.onModuleInit();
    const name = typeof template === 'string' ? template : template.name;
    const fn = this.functions.get(name);
    if (fn)
      return renderFunctionTemplate(
        fn,
        context,
        this.tools,
        this.options.inlineCss ?? true,
      );
    const file = this.files.get(name);
    if (!file) throw new MailTemplateNotFoundError(name, this.names());
    return renderFileTemplate(
      file,
      context,
      options.locale,
      this.options.fallbackLocales ?? [],
      this.tools,
    );
  }

  /** Every template the module has, sorted by name (for previews). */
  list(): TemplateSummary[] {
    const summaries: TemplateSummary[] = [];
    for (const t of this.files.values())
      summaries.push({
        name: t.name,
        kind: 'file',
        locales: [...t.variants.keys()].sort(),
        files: [...t.variants.values()]
          .flatMap((v) => Object.values(v).map((f) => f.file))
          .sort(),
      });
    for (const t of this.functions.values())
      summaries.push({ name: t.name, kind: t.kind, locales: [], files: [] });
    return summaries.sort((a, b) => a.name.localeCompare(b.name));
  }

  private names(): string[] {
    return this.list().map((t) => t.name);
  }

  private async load(): Promise<void> {
    this.files = await loadFileTemplates(this.options);
    for (const template of this.options.templates ?? []) {
      const fn = template as unknown as FunctionTemplate<object>;
      if (this.files.has(fn.name) || this.functions.has(fn.name))
        throw new MailTemplateError(
          `two templates are named '${fn.name}' (in \`templates\` and ${this.files.has(fn.name) ? 'in the template directory' : 'again in `templates`'}): rename one.`,
        );
      this.functions.set(fn.name, fn);
    }
    const inlineDefault = this.options.inlineCss ?? true;
    const fileHtml = [...this.files.values()].filter((t) =>
      [...t.variants.values()].some((v) => v.html),
    );
    const fns = [...this.functions.values()];
    this.tools = await loadHtmlTools({
      inlineCss:
        fileHtml.some((t) => t.inlineCss) ||
        fns.some((f) => f.settings.inlineCss ?? inlineDefault),
      toText:
        fns.length > 0 ||
        [...this.files.values()].some((t) =>
          [...t.variants.values()].some((v) => v.html && !v.txt),
        ),
      react: fns.some((f) => f.kind === 'react'),
      wordwrap: this.options.textWordwrap ?? 78,
    }).catch((err: Error) => {
      throw new MailTemplateError(err.message, undefined, { cause: err });
    });
  }
}
