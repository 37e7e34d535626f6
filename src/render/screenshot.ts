import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BriefError } from '../errors.js';

export interface ScreenshotOptions {
  /** Viewport width in CSS pixels. @defaultValue 375 (a phone) */
  width?: number;
  /**
   * Dark mode: prefers-color-scheme: dark, and Chromium's forced dark mode on top, since a
   * template without dark styles is darkened by mail apps (Gmail's and Outlook's) much as
   * Chromium darkens it. @defaultValue false
   */
  dark?: boolean;
  /** The Chromium executable (Debian's `chromium`). */
  chromiumPath: string;
  /**
   * Images under `urlPrefix` are read from `dir` instead of the network: the bundled
   * example's pictures (`PUBLIC_URL/examples/images/`) show without a running server.
   */
  localImages?: { urlPrefix: string; dir: string };
}

/**
 * A full-page PNG of an edition's HTML through headless Chromium (playwright-core drives the
 * system's Chromium; it never downloads a browser). The page may load the edition's remote
 * images, nothing else runs: JavaScript is off, as in a mail client.
 * @throws BriefError ECHROMIUM when there is no Chromium at `chromiumPath`.
 */
export async function screenshotHtml(html: string, file: string, opts: ScreenshotOptions): Promise<{ width: number; height: number }> {
  const width = opts.width ?? 375;
  if (!Number.isInteger(width) || width < 200 || width > 3000) throw new BriefError('EINPUT', `--width: ${width} must be a whole number of pixels from 200 to 3000`);
  if (!existsSync(opts.chromiumPath)) {
    throw new BriefError('ECHROMIUM', `--png needs Chromium: none at ${opts.chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  }
  // Loaded on use: only --png needs it.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: opts.chromiumPath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync',
      ...(opts.dark ? ['--blink-settings=forceDarkModeEnabled=true'] : []),
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme: opts.dark ? 'dark' : 'light', javaScriptEnabled: false });
    const local = opts.localImages;
    if (local) {
      await page.route(`${local.urlPrefix}*`, async (route) => {
        const name = route.request().url().slice(local.urlPrefix.length);
        const body = /^[a-z0-9][a-z0-9-]*\.png$/.test(name) ? await readFile(path.join(local.dir, name)).catch(() => null) : null;
        await (body ? route.fulfill({ status: 200, contentType: 'image/png', body }) : route.fulfill({ status: 404, body: '' }));
      });
    }
    await page.setContent(html, { waitUntil: 'load', timeout: 30_000 });
    await page.screenshot({ path: file, fullPage: true });
    const height = await page.evaluate('document.documentElement.scrollHeight') as number;
    return { width, height };
  } finally {
    await browser.close();
  }
}
