import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import ts from 'typescript';

/**
 * The public names of each entry point, as its `.d.ts` exports them (values
 * and types). A change to the public surface must change this list: a
 * deliberate diff, listed in CHANGELOG.md.
 */
const PUBLIC_API: Record<string, string[]> = {
  'nestjs-mail': [
    'AttachmentInput',
    'BackendName',
    'BadHeaderError',
    'BaseEmailBackend',
    'BaseEmailBackendOptions',
    'CompositeMailerConfig',
    'ConnectionChoice',
    'ConsoleEmailBackend',
    'ConsoleEmailBackendOptions',
    'DEFAULT_ATTACHMENT_MIME_TYPE',
    'DEFAULT_FAILOVER_COOLDOWN',
    'DEFAULT_MAILER',
    'DebugSmtpServer',
    'DebugSmtpServerOptions',
    'DeliveryClassification',
    'DetailedSendOptions',
    'DeterministicRendering',
    'DkimOptions',
    'DkimSigner',
    'DummyEmailBackend',
    'EmailAlternative',
    'EmailAttachment',
    'EmailMessage',
    'EmailMessageOptions',
    'EmailMultiAlternatives',
    'EmailMultiAlternativesOptions',
    'Envelope',
    'FailoverEmailBackend',
    'FailoverEmailBackendOptions',
    'FileEmailBackend',
    'FileEmailBackendOptions',
    'HeaderValue',
    'ImproperlyConfiguredError',
    'InjectMailer',
    'InvalidAddressError',
    'LocmemEmailBackend',
    'MAIL_CAPTURE_HEADER',
    'MAIL_MODULE_OPTIONS',
    'MAX_MIME_DEPTH',
    'MAX_RECIPIENTS',
    'MailAdminsOptions',
    'MailCapture',
    'MailModule',
    'MailModuleExtras',
    'MailModuleOptions',
    'MailOutbox',
    'MailService',
    'MailSettings',
    'MailSettingsOptions',
    'MailerConfig',
    'MailerContext',
    'MailerDoesNotExistError',
    'MailerRegistry',
    'MassMailItem',
    'MessageEncodingError',
    'MessageOutcome',
    'MessageSettings',
    'MessageStatus',
    'MimeMessage',
    'MimeNestingError',
    'MimePart',
    'MimePartContent',
    'MimePartOptions',
    'NodemailerTransportBackend',
    'NodemailerTransportBackendOptions',
    'OutboxEntry',
    'OutboxRecord',
    'OutboxStatus',
    'OutcomeBase',
    'RateLimit',
    'ReceivedMessage',
    'RecipientRedirect',
    'RejectedRecipient',
    'RenderOptions',
    'RoundRobinEmailBackend',
    'SMTPConnection',
    'SendError',
    'SendMailOptions',
    'SendOptions',
    'SendResult',
    'SmtpEmailBackend',
    'SmtpEmailBackendOptions',
    'SmtpError',
    'SmtpMailerOptions',
    'SmtpPoolStatus',
    'failedOutcome',
    'failover',
    'getMailerToken',
    'joinMailCapture',
    'notAttemptedOutcome',
    'parseSmtpUrl',
    'resolveBackendClass',
    'roundRobin',
    'sentOutcome',
    'settle',
    'skippedOutcome',
    'startDebugSmtpServer',
  ],
  'nestjs-mail/testing': [
    'AddressCriterion',
    'AttachmentCriteria',
    'CriterionResult',
    'DeterministicRendering',
    'MAIL_CAPTURE_HEADER',
    'MailCapture',
    'MailMatcherResult',
    'MailMatchers',
    'MailOutbox',
    'MailRenderError',
    'MailTestingModule',
    'MailTestingOptions',
    'OutboxEntry',
    'RenderedAttachment',
    'RenderedMail',
    'SentMailCriteria',
    'SentMailSource',
    'TextCriterion',
    'assertSentMail',
    'assertSentMailCount',
    'captureMail',
    'checkSentMail',
    'findSentMail',
    'joinMailCapture',
    'mailMatchers',
    'renderMail',
    'renderSentMail',
  ],
  'nestjs-mail/queue': [
    'DEFAULT_MAX_MESSAGE_BYTES',
    'DEFAULT_QUEUE_NAME',
    'MailJobData',
    'MailQueueWorker',
    'MailQueueWorkerModule',
    'MailQueueWorkerOptions',
    'QueueEmailBackend',
    'QueueMailerOptions',
    'QueuedMessageTooLargeError',
    'RedisConnectionOptions',
    'SerializedAttachment',
    'SerializedContent',
    'SerializedMessage',
    'StoredOutcome',
    'queue',
  ],
  'nestjs-mail/health': [
    'MAIL_HEALTH_OPTIONS',
    'MailHealthCheckOptions',
    'MailHealthIndicator',
    'MailHealthModule',
    'MailHealthModuleOptions',
    'MailerHealth',
  ],
  'nestjs-mail/preview': [
    'DEFAULT_MAIL_PREVIEW_PATH',
    'MAIL_PREVIEW_OPTIONS',
    'MailPreviewClient',
    'MailPreviewModule',
    'MailPreviewModuleAsyncOptions',
    'MailPreviewModuleExtras',
    'MailPreviewModuleOptions',
    'MailPreviewModuleRootOptions',
    'MailPreviewRenderedTemplate',
    'MailPreviewSample',
    'MailPreviewSamples',
    'MailPreviewSource',
    'MailPreviewSourceOption',
    'MailPreviewTemplateSummary',
    'MailPreviewTemplates',
    'PreviewMessageInput',
    'isLoopbackAddress',
    'isLoopbackClient',
  ],
  'nestjs-mail/templates': [
    'CompileOptions',
    'CompiledTemplate',
    'EngineSetup',
    'FileTemplateSettings',
    'FunctionTemplate',
    'FunctionTemplateSettings',
    'MAIL_TEMPLATES_OPTIONS',
    'MailTemplateError',
    'MailTemplateNotFoundError',
    'MailTemplateRenderError',
    'MailTemplates',
    'MailTemplatesModule',
    'MailTemplatesModuleExtras',
    'MailTemplatesOptions',
    'ReactTemplateOutput',
    'RenderedTemplate',
    'TemplateEngine',
    'TemplateHandle',
    'TemplateMessageOptions',
    'TemplateOutput',
    'TemplateSource',
    'TemplateSummary',
    'defineTemplate',
    'mailTemplate',
    'reactTemplate',
  ],
};

const root = resolve(import.meta.dirname, '../..');

/** The `.d.ts` an entry point's `types` condition names in package.json. */
async function typesOf(entry: string): Promise<string> {
  const { default: pkg } = await import(`${root}/package.json`, {
    with: { type: 'json' },
  });
  const key = entry === 'nestjs-mail' ? '.' : `.${entry.slice(11)}`;
  const target = pkg.exports[key] as { types: string } | undefined;
  if (!target) throw new Error(`package.json has no exports entry "${key}"`);
  return resolve(root, target.types);
}

describe('public API', () => {
  it('each entry point exports exactly the listed names (npm run build first)', async () => {
    const files = await Promise.all(Object.keys(PUBLIC_API).map(typesOf));
    const program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const actual = Object.fromEntries(
      Object.keys(PUBLIC_API).map((entry, i) => {
        const source = program.getSourceFile(files[i]);
        if (!source) throw new Error(`${files[i]} is missing: npm run build`);
        const module = checker.getSymbolAtLocation(source)!;
        const names = checker.getExportsOfModule(module).map((s) => s.name);
        return [entry, names.sort()];
      }),
    );
    expect(actual).toEqual(PUBLIC_API);
  }, 60_000);

  it('core exports none of the internals it once leaked', () => {
    const core = new Set(PUBLIC_API['nestjs-mail']);
    for (const internal of [
      'parseMailbox',
      'parseMailboxList',
      'formatDate',
      'makeMsgid',
      'DEFAULT_MESSAGE_SETTINGS',
      'hasDetailedResults',
      'serializeMessage',
      'deserializeMessage',
      'jobIdOf',
      'MAIL_QUEUE_WORKER_OPTIONS',
      'MESSAGE_HTML_CSP',
      'MailPreviewModule',
      'MailHealthIndicator',
      'QueueEmailBackend',
    ])
      expect(core.has(internal)).toBe(false);
  });
});
