// The installable web app on the built app: the service worker registers and precaches the app,
// the model and the images, so the page reloads and analyses the model with the network off.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describePage, openWorkbench, waitForStatus, type Workbench } from './harness';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from './workbench-page';

/** serviceWorker=1 makes the page register its service worker under browser automation. */
const QUERY = '?calibration=16&evaluation=16&serviceWorker=1';

let bench: Workbench;
let page: Page;

beforeAll(async () => {
  bench = await openWorkbench(QUERY);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
});

afterAll(async () => {
  await bench?.close();
});

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
}

describe('offline web app', () => {
  it('links a manifest with icons', async () => {
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href, 'manifest link').not.toBeNull();
    const manifestUrl = new URL(href ?? '', bench.url).href;
    const manifest = (await (await fetch(manifestUrl)).json()) as { name: string; display: string; icons: ManifestIcon[] };
    expect(manifest.name).toBe('PeakPrune');
    expect(manifest.display).toBe('standalone');
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const response = await fetch(new URL(icon.src, manifestUrl).href);
      expect(response.ok, `icon ${icon.src}`).toBe(true);
      expect(response.headers.get('content-type') ?? '', `type of ${icon.src}`).toContain(icon.type.split('+')[0]);
    }
  });

  it('registers a service worker that controls the page', async () => {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    const scriptUrl = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
    expect(scriptUrl.endsWith('/sw.js'), `service worker script ${scriptUrl}`).toBe(true);
  });

  it('reloads and analyses offline', async () => {
    await bench.context.setOffline(true);
    try {
      await page.reload();
      await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
      expect(await page.getByTestId('backend').textContent(), 'backend offline').toBe('WebGL in a worker');
      expect(await page.getByTestId('error-banner').count(), `error banner offline; ${await describePage(page)}`).toBe(0);
      expect(bench.errors, 'console errors offline').toEqual([]);
    } finally {
      await bench.context.setOffline(false);
    }
  });
});
