import {
  Inject,
  Injectable,
  Optional,
  type OnModuleInit,
} from '@nestjs/common';
import type * as Mailparser from 'mailparser';
import { randomBytes } from 'node:crypto';
import {
  ImproperlyConfiguredError,
  MailerRegistry,
  MailOutbox,
} from '../index.js';
import { MAILPARSER, MAIL_PREVIEW_OPTIONS } from './mail-preview.constants.js';
import type {
  MailPreviewModuleOptions,
  MailPreviewSource,
  MailPreviewSourceOption,
  PreviewMessageInput,
} from './mail-preview.interfaces.js';
import { OutboxPreviewSource } from './outbox-preview.source.js';

/** A listed message: what a source gave, with its page key, source label and parse. */
export interface PreviewEntry extends PreviewMessageInput {
  /** 128 random bits, base64url: the message's name in the page's URLs. */
  key: string;
  /** Where it came from (`'outbox'`, `'SMTP server'`, ...). */
  source: string;
  /** The message parsed by mailparser. */
  parsed: Mailparser.ParsedMail;
}

interface LabelledSource {
  source: MailPreviewSource;
  label: string;
}

/**
 * Collects the messages of every configured source and parses them.
 * @internal
 */
@Injectable()
export class MailPreviewService implements OnModuleInit {
  private sources: LabelledSource[] = [];
  /** `<source index>:<id in source>` → key; forgets what the sources dropped. */
  private keys = new Map<string, string>();
  private readonly parsed = new WeakMap<
    Buffer,
    Promise<Mailparser.ParsedMail>
  >();

  constructor(
    @Inject(MAIL_PREVIEW_OPTIONS)
    private readonly options: MailPreviewModuleOptions,
    @Inject(MAILPARSER) private readonly mailparser: typeof Mailparser | null,
    @Optional() private readonly outbox?: MailOutbox,
    @Optional() private readonly mailers?: MailerRegistry,
  ) {}

  /** Checks the options and, when enabled, resolves the sources once every provider exists. */
  onModuleInit(): void {
    const { enabled, allow } = this.options;
    if (typeof enabled !== 'boolean') {
      throw new ImproperlyConfiguredError(
        `MailPreviewModule: enabled must be true or false (got ${describeValue(enabled)}). The page is off ` +
          'unless the app turns it on: tie it to your own development check, e.g. ' +
          "MailPreviewModule.forRoot({ enabled: process.env.NODE_ENV === 'development' }).",
      );
    }
    if (allow !== undefined && typeof allow !== 'function') {
      throw new ImproperlyConfiguredError(
        'MailPreviewModule: allow must be a function (client) => boolean, e.g. ' +
          "allow: (client) => isLoopbackClient(client) || client.remoteAddress === '10.0.0.7'.",
      );
    }
    if (!enabled) return;
    this.sources = (this.options.sources ?? ['outbox']).map((source, index) =>
      this.resolve(source, index),
    );
  }

  /** Every message of every source, newest first. */
  async list(): Promise<PreviewEntry[]> {
    const snapshots = await Promise.all(
      this.sources.map(async ({ source }) => [
        ...(await source.previewMessages()),
      ]),
    );
    const keys = new Map<string, string>();
    const named = snapshots.flatMap((messages, index) =>
      messages.map((message) => {
        const ref = `${index}:${message.id}`;
        const key = this.keys.get(ref) ?? randomKey();
        keys.set(ref, key);
        return { ...message, key, source: this.sources[index].label };
      }),
    );
    this.keys = keys;
    const entries = await Promise.all(
      named.map(async (entry) => ({
        ...entry,
        parsed: await this.parse(entry.raw),
      })),
    );
    // Newest first; within one millisecond, the later listed (recorded) first.
    const order = new Map(entries.map((entry, i) => [entry, i]));
    return entries.sort(
      (a, b) =>
        b.receivedAt.getTime() - a.receivedAt.getTime() ||
        order.get(b)! - order.get(a)!,
    );
  }

  /** The message with that key, or `undefined`. */
  async find(key: string): Promise<PreviewEntry | undefined> {
    return (await this.list()).find((entry) => entry.key === key);
  }

  private parse(raw: Buffer): Promise<Mailparser.ParsedMail> {
    let parsed = this.parsed.get(raw);
    if (!parsed) {
      parsed = this.mailparser!.simpleParser(raw, { skipTextToHtml: true });
      this.parsed.set(raw, parsed);
    }
    return parsed;
  }

  private resolve(
    source: MailPreviewSourceOption,
    index: number,
  ): LabelledSource {
    if (source === 'outbox') {
      const { outbox, mailers } = this;
      if (!outbox || !mailers) {
        throw new ImproperlyConfiguredError(
          "MailPreviewModule: the 'outbox' source needs MailModule in the same app (global, the default, or imported next to it).",
        );
      }
      return {
        source: new OutboxPreviewSource(
          outbox,
          () => mailers.get().messageSettings,
        ),
        label: 'outbox',
      };
    }
    if (typeof source === 'function') {
      const name = (source as { name?: string }).name || 'a class';
      throw new ImproperlyConfiguredError(
        `MailPreviewModule: the source ${name} is a class; give an instance, injected through forRootAsync: ` +
          `MailPreviewModule.forRootAsync({ imports: [<the module that provides ${name}>], inject: [${name}], ` +
          `useFactory: (source: ${name}) => ({ enabled: true, sources: ['outbox', source] }) }).`,
      );
    }
    if (typeof source?.previewMessages !== 'function') {
      throw new ImproperlyConfiguredError(
        "MailPreviewModule: each source must be 'outbox' or an object with a previewMessages() method.",
      );
    }
    return { source, label: source.previewLabel ?? `source ${index + 1}` };
  }
}

/** 128 random bits, base64url: a message key nobody can guess from another. */
function randomKey(): string {
  return randomBytes(16).toString('base64url');
}

function describeValue(value: unknown): string {
  return value === undefined
    ? 'nothing'
    : `${typeof value} ${JSON.stringify(value)}`;
}
