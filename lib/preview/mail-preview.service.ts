import {
  Inject,
  Injectable,
  Optional,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type * as Mailparser from 'mailparser';
import {
  ImproperlyConfiguredError,
  MailerRegistry,
  MailOutbox,
} from '../index.js';
import { MAILPARSER, MAIL_PREVIEW_OPTIONS } from './mail-preview.constants.js';
import type {
  MailPreviewModuleOptions,
  MailPreviewSource,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';
import { OutboxPreviewSource } from './outbox-preview.source.js';

/** A listed message: what a source gave, with a page-wide id and its parse. */
export interface PreviewEntry extends PreviewMessageInput {
  /** `<source index>-<id in source>`, unique on the page. */
  key: string;
  /** The message parsed by mailparser. */
  parsed: Mailparser.ParsedMail;
}

/**
 * Collects the messages of every configured source and parses them.
 * @internal
 */
@Injectable()
export class MailPreviewService implements OnModuleInit {
  private sources: MailPreviewSource[] = [];
  private readonly parsed = new WeakMap<
    Buffer,
    Promise<Mailparser.ParsedMail>
  >();

  constructor(
    @Inject(MAIL_PREVIEW_OPTIONS)
    private readonly options: MailPreviewModuleOptions,
    @Inject(MAILPARSER) private readonly mailparser: typeof Mailparser,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly outbox?: MailOutbox,
    @Optional() private readonly mailers?: MailerRegistry,
  ) {}

  /** Resolves the sources once every provider of the app exists. */
  onModuleInit(): void {
    this.sources = (this.options.sources ?? ['outbox']).map((source) =>
      this.resolve(source),
    );
  }

  /** Every message of every source, newest first. */
  async list(): Promise<PreviewEntry[]> {
    const lists = await Promise.all(
      this.sources.map(async (source, index) =>
        Promise.all(
          [...(await source.previewMessages())].map(async (message) => ({
            ...message,
            key: `${index}-${message.id}`,
            parsed: await this.parse(message.raw),
          })),
        ),
      ),
    );
    return lists
      .flat()
      .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
  }

  /** The message with that page-wide key, or `undefined`. */
  async find(key: string): Promise<PreviewEntry | undefined> {
    return (await this.list()).find((entry) => entry.key === key);
  }

  private parse(raw: Buffer): Promise<Mailparser.ParsedMail> {
    let parsed = this.parsed.get(raw);
    if (!parsed) {
      parsed = this.mailparser.simpleParser(raw, { skipTextToHtml: true });
      this.parsed.set(raw, parsed);
    }
    return parsed;
  }

  private resolve(
    source: NonNullable<MailPreviewModuleOptions['sources']>[number],
  ): MailPreviewSource {
    if (source === 'outbox') {
      if (!this.outbox || !this.mailers) {
        throw new ImproperlyConfiguredError(
          "MailPreviewModule: the 'outbox' source needs MailModule in the same app (registered globally, the default).",
        );
      }
      const mailers = this.mailers;
      return new OutboxPreviewSource(
        this.outbox,
        () => mailers.get().messageSettings,
      );
    }
    if (typeof source === 'function') {
      const found = this.lookup(source, `the source ${source.name}`);
      if (typeof found.previewMessages !== 'function') {
        throw new ImproperlyConfiguredError(
          `MailPreviewModule: the source ${source.name} has no previewMessages() method.`,
        );
      }
      return found;
    }
    if (typeof source?.previewMessages !== 'function') {
      throw new ImproperlyConfiguredError(
        "MailPreviewModule: each source must be 'outbox', an object with a previewMessages() method, " +
          'or the class of a provider that has one.',
      );
    }
    return source;
  }

  private lookup<T>(token: Type<T>, what: string): T {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch (err) {
      throw new ImproperlyConfiguredError(
        `MailPreviewModule: ${what} was not found: add ${token.name} to the providers of a module of the app. (${(err as Error).message})`,
      );
    }
  }
}
