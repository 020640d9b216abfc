import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import { MailPreviewController } from './mail-preview.controller.js';
import {
  DEFAULT_MAIL_PREVIEW_PATH,
  MAIL_PREVIEW_OPTIONS,
} from './mail-preview.constants.js';
import { mountController } from './mount-controller.js';
import { TemplatePreviewController } from './template-preview.controller.js';
import type { MailPreviewModuleOptions } from './mail-preview.interfaces.js';

/** Options of `forRoot`/`forRootAsync` that shape the module, not the options value. */
export interface MailPreviewModuleExtras {
  /**
   * Where the page is mounted (below the app's global prefix, if any).
   * Fixed when the module is declared, so also given to `forRootAsync`
   * next to `useFactory`.
   * @default '/_mail'
   */
  path?: string;
}

/** The page's routes: the sent mail, and the template previews. */
const CONTROLLERS: Type[] = [MailPreviewController, TemplatePreviewController];

/**
 * The base of `MailPreviewModule` (`forRoot()`, `forRootAsync()`, each
 * mounting the page's controllers at `path`) and the types of their options.
 * @internal
 */
export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<MailPreviewModuleOptions>({
    moduleName: 'MailPreview',
    optionsInjectionToken: MAIL_PREVIEW_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createMailPreviewOptions')
    .setExtras<MailPreviewModuleExtras>(
      { path: DEFAULT_MAIL_PREVIEW_PATH },
      (definition, extras) => ({
        ...definition,
        controllers: CONTROLLERS.map((controller) =>
          mountController(extras.path ?? DEFAULT_MAIL_PREVIEW_PATH, controller),
        ),
      }),
    )
    .build();

/** What `MailPreviewModule.forRoot()` takes: the options and `path`. */
export type MailPreviewModuleRootOptions = typeof OPTIONS_TYPE;

/** What `MailPreviewModule.forRootAsync()` takes: `useFactory`/`useClass`/`useExisting`, `inject`, `imports`, and `path`. */
export type MailPreviewModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
