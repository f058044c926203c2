// Takes the screenshots of docs/teaching.md: every walkthrough step, the filter map with a
// hovered filter, the activation view, the playground and the presenter view.
//
// Usage (builds into a temporary folder, never into dist/):
//   npx vite build --outDir /tmp/dist-teaching --emptyOutDir
//   PEAKPRUNE_DIST=/tmp/dist-teaching npx tsx scripts/teaching-screenshots.ts
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { openWorkbench, ROOT, waitForStatus } from '../test/browser/harness';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from '../test/browser/workbench-page';
import { WALKTHROUGH_STEPS } from '../src/ui/teaching/steps';

const OUT = join(ROOT, 'docs/img');
/** Filter hovered in the shots, so each step shows its neighbourhood, arrow or distances. */
const HOVERED_FILTER = 5;

async function hover(page: Page, filter: number): Promise<void> {
  await page.locator(`[data-testid="filter-map"] circle.fm-point[data-filter="${filter}"]`).dispatchEvent('mouseenter');
}

async function shoot(page: Page, selector: string, name: string): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.locator(selector).first().screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const bench = await openWorkbench('?calibration=64&evaluation=16&layer=conv3&k=3');
  const { page } = bench;
  try {
    await page.setViewportSize({ width: 1500, height: 1100 });
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    await page.locator('[data-testid="filter-map"] circle.fm-point').first().waitFor({ timeout: 30_000 });
    await hover(page, HOVERED_FILTER);
    await shoot(page, '[data-testid="filter-map"]', 'teaching-map');

    await page.getByTestId('view-walkthrough').click();
    for (const [index, step] of WALKTHROUGH_STEPS.entries()) {
      await page.locator(`[data-testid="walkthrough"][data-step="${step.id}"]`).waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="filter-map"] circle.fm-point').first().waitFor({ timeout: 30_000 });
      await hover(page, HOVERED_FILTER);
      await shoot(page, '[data-testid="walkthrough"]', `teaching-step-${index + 1}-${step.id}`);
      if (index < WALKTHROUGH_STEPS.length - 1) await page.getByTestId('walkthrough-next').click();
    }

    await page.getByTestId('view-activations').click();
    await page.locator('[data-testid="activation-view"] .av-tile').first().waitFor({ timeout: 30_000 });
    await shoot(page, '[data-testid="activation-view"]', 'teaching-activations');

    await page.getByTestId('view-playground').click();
    await shoot(page, '[data-testid="playground"]', 'teaching-playground');

    await page.getByTestId('view-walkthrough').click();
    await page.getByTestId('presenter-toggle').click();
    await page.locator('[data-testid="walkthrough"]').waitFor();
    await page.locator('[data-testid="filter-map"] circle.fm-point').first().waitFor({ timeout: 30_000 });
    await shoot(page, '[data-testid="walkthrough"]', 'teaching-presenter');
  } finally {
    await bench.close();
  }
}

await main();
