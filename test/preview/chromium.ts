import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { findTool, missingToolMessage } from '../../scripts/system-deps.mjs';

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches the system's Chromium (found on the PATH, or NESTJS_MAIL_CHROMIUM;
 * playwright never downloads a browser here), or fails saying how to install
 * it: the browser tests never skip silently (`npm test` installs it on
 * Debian/Ubuntu, see scripts/system-deps.mjs).
 */
export async function launchChromium(): Promise<TestBrowser> {
  const executablePath = findTool('chromium');
  if (!executablePath) throw new Error(missingToolMessage('chromium'));
  const profile = await mkdtemp(join(tmpdir(), 'nestjs-mail-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
