import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ImproperlyConfiguredError } from '../index.js';
import { MAIL_PREVIEW_OPTIONS } from './mail-preview.constants.js';
import type { MailPreviewModuleOptions } from './mail-preview.interfaces.js';
import { PreviewNotFoundException } from './preview-not-found.filter.js';
import type {
  MailPreviewRenderedTemplate,
  MailPreviewSample,
  MailPreviewTemplateSummary,
  MailPreviewTemplates,
} from './template-preview.interfaces.js';

/** A listed template with the names of its samples. */
export interface TemplatePreviewRow extends MailPreviewTemplateSummary {
  samples: string[];
}

/** What the page of one template shows: the choice made, and the mail or the error. */
export interface TemplatePreview {
  template: TemplatePreviewRow;
  /** The sample rendered; `undefined` when the template has none (empty context). */
  sample: string | undefined;
  /** The locale asked for; `undefined` for the default. */
  locale: string | undefined;
  /** The context the template was rendered with (`undefined` if its sample failed). */
  context: object | undefined;
  rendered?: MailPreviewRenderedTemplate;
  /** Why there is nothing to show: the sample or the template threw. */
  error?: string;
}

/**
 * Lists the app's templates and renders them with their sample contexts for
 * the template previews. Renders only: nothing here reaches a mailer.
 * @internal
 */
@Injectable()
export class TemplatePreviewService implements OnModuleInit {
  constructor(
    @Inject(MAIL_PREVIEW_OPTIONS)
    private readonly options: MailPreviewModuleOptions,
  ) {}

  /** Whether the app gave templates to preview. */
  get enabled(): boolean {
    return this.options.templates !== undefined;
  }

  /** Checks `templates` and `samples` when the page is enabled. */
  onModuleInit(): void {
    const { enabled, templates, samples } = this.options;
    if (enabled !== true) return;
    if (typeof templates === 'function') {
      throw new ImproperlyConfiguredError(
        'MailPreviewModule: templates is a class; give the instance, injected through forRootAsync: ' +
          'MailPreviewModule.forRootAsync({ inject: [MailTemplates], ' +
          'useFactory: (templates: MailTemplates) => ({ enabled: true, templates }) }).',
      );
    }
    if (
      templates !== undefined &&
      (typeof templates?.list !== 'function' ||
        typeof templates.render !== 'function')
    ) {
      throw new ImproperlyConfiguredError(
        'MailPreviewModule: templates must have list() and render() methods (the MailTemplates of nestjs-mail/templates has them).',
      );
    }
    if (samples === undefined) return;
    if (!templates) {
      throw new ImproperlyConfiguredError(
        'MailPreviewModule: samples needs templates: pass your MailTemplates instance as templates too.',
      );
    }
    if (!isRecord(samples)) throw badSamples('samples');
    for (const [name, byName] of Object.entries(samples)) {
      if (!isRecord(byName) || !Object.values(byName).every(isSample))
        throw badSamples(`samples['${name}']`);
    }
  }

  /** Every template with its sample names, and the sample keys that name no template. */
  list(): { rows: TemplatePreviewRow[]; unknown: string[] } {
    const rows = this.templates()
      .list()
      .map(({ name, kind, locales }) => ({
        name,
        kind,
        locales: [...locales],
        samples: Object.keys(this.options.samples?.[name] ?? {}),
      }));
    const names = new Set(rows.map((row) => row.name));
    const unknown = Object.keys(this.options.samples ?? {}).filter(
      (name) => !names.has(name),
    );
    return { rows, unknown };
  }

  /**
   * Renders `name` with its sample `sample` (the first when not given) in
   * `locale`; a sample or template that throws gives `error`.
   * @throws PreviewNotFoundException for an unknown template or sample
   */
  async preview(
    name: string,
    sample: string | undefined,
    locale: string | undefined,
  ): Promise<TemplatePreview> {
    const { rows } = this.list();
    const template = rows.find((row) => row.name === name);
    if (!template) {
      throw new PreviewNotFoundException(
        `No template named '${name}'. Templates: ${rows.map((row) => row.name).join(', ') || '(none)'}.`,
        'templates',
      );
    }
    const chosen = sample ?? template.samples[0];
    if (chosen !== undefined && !template.samples.includes(chosen)) {
      throw new PreviewNotFoundException(
        `Template '${name}' has no sample named '${chosen}'. ` +
          `Its samples: ${template.samples.join(', ') || '(none)'}.`,
        'templates',
      );
    }
    const result = { template, sample: chosen, locale, context: undefined };
    let context: object;
    try {
      context = await this.context(name, chosen);
    } catch (err) {
      return {
        ...result,
        error: `The sample '${chosen}' of '${name}' threw: ${describe(err)}`,
      };
    }
    try {
      const rendered = await this.templates().render(
        name,
        context,
        locale === undefined ? {} : { locale },
      );
      return { ...result, context, rendered };
    } catch (err) {
      return { ...result, context, error: describe(err) };
    }
  }

  private async context(
    name: string,
    sample: string | undefined,
  ): Promise<object> {
    if (sample === undefined) return {};
    const given: MailPreviewSample = this.options.samples![name][sample];
    return typeof given === 'function' ? await given() : given;
  }

  private templates(): MailPreviewTemplates {
    if (!this.options.templates) {
      throw new PreviewNotFoundException(
        'No template previews: pass your MailTemplates as templates to MailPreviewModule ' +
          '(forRootAsync({ inject: [MailTemplates], useFactory: (templates) => ({ enabled: true, templates }) })).',
      );
    }
    return this.options.templates;
  }
}

function badSamples(where: string): ImproperlyConfiguredError {
  return new ImproperlyConfiguredError(
    `MailPreviewModule: ${where} is not valid. samples maps a template name to its samples by name, ` +
      "each a context object or a function returning one, e.g. samples: { welcome: { default: { name: 'Ada' } } }.",
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSample(value: unknown): value is MailPreviewSample {
  return isRecord(value) || typeof value === 'function';
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
