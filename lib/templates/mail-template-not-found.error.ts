/** `MailTemplates` was asked for a template it does not have; the message lists those it has. */
export class MailTemplateNotFoundError extends Error {
  /** The name asked for. */
  readonly template: string;

  constructor(template: string, known: string[]) {
    super(
      `No mail template named '${template}'. Known templates: ${known.length ? known.join(', ') : '(none)'}. ` +
        'File templates are found in the `dir` of MailTemplatesModule as <name>.subject.<ext>, ' +
        '<name>.txt.<ext>, <name>.html.<ext>; function templates are listed in its `templates`.',
    );
    this.name = 'MailTemplateNotFoundError';
    this.template = template;
  }
}
