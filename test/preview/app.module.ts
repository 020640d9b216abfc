import { Module, type DynamicModule } from '@nestjs/common';
import { MailModule } from '../../lib/mail.module.js';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailPreviewModule } from '../../lib/preview/mail-preview.module.js';
import type { MailPreviewModuleRootOptions } from '../../lib/preview/mail-preview.module-definition.js';
import type { MailPreviewModuleOptions } from '../../lib/preview/mail-preview.interfaces.js';
import {
  MailTemplates,
  MailTemplatesModule,
  type MailTemplatesOptions,
} from '../../lib/templates/index.js';

@Module({})
class PreviewAppModule {}

/**
 * An app that sends with `mail` and mounts the preview page with `preview`
 * (enabled unless `preview` says otherwise).
 */
export function previewApp(
  mail: MailModuleOptions,
  preview: Partial<MailPreviewModuleRootOptions> = {},
): DynamicModule {
  return {
    module: PreviewAppModule,
    imports: [
      MailModule.forRoot(mail),
      MailPreviewModule.forRoot({ enabled: true, ...preview }),
    ],
  };
}

/**
 * An app that sends with `locmem`, has the templates of `templates`, and
 * mounts the preview page with them: `preview` gets the `MailTemplates`
 * instance and returns the options (enabled unless it says otherwise).
 */
export function templatePreviewApp(
  templates: MailTemplatesOptions,
  preview: (instance: MailTemplates) => Partial<MailPreviewModuleOptions> = (
    instance,
  ) => ({
    templates: instance,
  }),
): DynamicModule {
  return {
    module: PreviewAppModule,
    imports: [
      MailModule.forRoot({ backend: 'locmem' }),
      MailTemplatesModule.forRoot({ ...templates, isGlobal: true }),
      MailPreviewModule.forRootAsync({
        inject: [MailTemplates],
        useFactory: (instance: MailTemplates) => ({
          enabled: true,
          ...preview(instance),
        }),
      }),
    ],
  };
}
