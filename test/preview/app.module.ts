import { Module, type DynamicModule } from '@nestjs/common';
import { MailModule } from '../../lib/mail.module.js';
import type { MailModuleOptions } from '../../lib/interfaces/mail-module-options.interface.js';
import { MailPreviewModule } from '../../lib/preview/mail-preview.module.js';
import type { MailPreviewModuleRootOptions } from '../../lib/preview/mail-preview.module-definition.js';

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
