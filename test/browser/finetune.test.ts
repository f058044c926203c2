// Fine-tuning on the built app: prune the shipped model at 0.3, fine-tune one epoch with batch 32
// on 64 calibration images, and check the chart, the top-1 after fine-tuning, the downloads and
// the worker's tensor count.
import { readFileSync } from 'node:fs';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PruneReport } from '../../src/core/report';
import { describePage, openWorkbench, saveDownloads, waitForStatus, workerMemory, type Workbench } from './harness';
import { readShippedModel } from './shipped';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, expectedRemovals, PRUNE_TIMEOUT_MS, PRUNED, setGlobalRatio, waitForDownloadsReady } from './workbench-page';

/** Images per set, kept few because WebGL runs on SwiftShader, a software GPU. */
const IMAGES = 64;
const RATIO = 0.3;
const FINE_TUNE_TIMEOUT_MS = 300_000;
const FINE_TUNED = /^Fine-tuned (\d+) epochs? on (\d+) images in (\d+) s/;

const shipped = readShippedModel();
const filters = shipped.convs.map((conv) => conv.filters);
const totalFilters = filters.reduce((sum, n) => sum + n, 0);

let bench: Workbench;
let page: Page;

beforeAll(async () => {
  bench = await openWorkbench(`?calibration=${IMAGES}&evaluation=${IMAGES}`);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
});

afterAll(async () => {
  await bench?.close();
});

async function waitForJobEnd(timeoutMs: number): Promise<void> {
  try {
    await page.getByTestId('cancel-button').waitFor({ state: 'detached', timeout: timeoutMs });
  } catch {
    throw new Error(`The job did not end within ${timeoutMs} ms; ${await describePage(page, bench.errors)}`);
  }
}

describe('fine-tuning', () => {
  it('fine-tunes the pruned model', async () => {
    await setGlobalRatio(page, RATIO, expectedRemovals(filters, RATIO), totalFilters);
    await page.getByTestId('prune-button').click();
    await waitForJobEnd(PRUNE_TIMEOUT_MS);
    await waitForStatus(page, PRUNED, 1_000, bench.errors);
    await waitForDownloadsReady(page);
    const before = await workerMemory(page);

    await page.getByTestId('finetune-epochs').fill('1');
    await page.getByTestId('finetune-batchSize').fill('32');
    await page.getByTestId('finetune-button').click();
    await waitForJobEnd(FINE_TUNE_TIMEOUT_MS);
    const status = await waitForStatus(page, FINE_TUNED, 1_000, bench.errors);
    await waitForDownloadsReady(page);

    const [, epochsRun, images, seconds] = FINE_TUNED.exec(status) ?? [];
    expect(Number(epochsRun), 'epochs run').toBe(1);
    // 64 calibration images with a held-out fraction of 0.1: 6 held out, 58 trained on.
    expect(Number(images), 'training images').toBe(58);
    console.log(`fine-tuning: ${seconds} s for one epoch of ${images} images, ${(Number(seconds) / Number(images)).toFixed(3)} s per image (held-out and final evaluation included)`);

    const lossPoints = await page.locator('[data-testid="loss-chart"] circle.lc-loss-point').count();
    expect(lossPoints, 'batch loss points (58 images in batches of 32)').toBe(2);
    expect(await page.locator('[data-testid="loss-chart"] circle.lc-accuracy').count(), 'held-out accuracy points').toBe(1);

    const top1 = (await page.getByTestId('finetune-top1').textContent()) ?? '';
    expect(top1).toMatch(/^\d{1,3}\.\d %$/);

    expect(await workerMemory(page), 'worker tensors after fine-tuning').toEqual(before);
    expect(bench.errors, 'console errors').toEqual([]);
    expect(await page.getByTestId('error-banner').count(), `error banner; ${await describePage(page)}`).toBe(0);
  });

  it('writes the run into report.json', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('download-report').click(), bench.downloadsDir);
    const path = files.get('report.json');
    if (path === undefined) throw new Error(`download-report saved ${[...files.keys()].join(', ')}, not report.json`);
    const report = JSON.parse(readFileSync(path, 'utf8')) as PruneReport;
    expect(report.fineTune?.epochsRun).toBe(1);
    expect(report.fineTune?.settings.batchSize).toBe(32);
    expect(report.fineTune?.history).toHaveLength(1);
    expect(report.fineTune?.top1Before).toBe(report.after.top1);
    expect(`${((report.fineTune?.top1After ?? NaN) * 100).toFixed(1)} %`).toBe(await page.getByTestId('finetune-top1').textContent());
  });

  it('measures a warm two-epoch run', async () => {
    await page.getByTestId('finetune-epochs').fill('2');
    await page.getByTestId('finetune-patience').fill('5');
    await page.getByTestId('finetune-button').click();
    await waitForJobEnd(FINE_TUNE_TIMEOUT_MS);
    const status = await waitForStatus(page, FINE_TUNED, 1_000, bench.errors);
    const [, epochsRun, images, seconds] = FINE_TUNED.exec(status) ?? [];
    expect(Number(epochsRun), 'epochs run').toBe(2);
    const perImage = Number(seconds) / (Number(epochsRun) * Number(images));
    console.log(`warm fine-tuning: ${seconds} s for ${epochsRun} epochs of ${images} images, ${perImage.toFixed(3)} s per image per epoch`);
    expect(await page.locator('[data-testid="loss-chart"] circle.lc-loss-point').count(), 'batch loss points').toBe(4);
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('keeps the model on cancel', async () => {
    const top1 = await page.getByTestId('finetune-top1').textContent();
    const before = await workerMemory(page);
    await page.getByTestId('finetune-epochs').fill('3');
    await page.getByTestId('finetune-button').click();
    await page.locator('[data-testid="loss-chart"] circle.lc-loss-point').first().waitFor({ timeout: FINE_TUNE_TIMEOUT_MS });
    await page.getByTestId('cancel-button').click({ timeout: 2_000 });
    await waitForJobEnd(FINE_TUNE_TIMEOUT_MS);
    await waitForStatus(page, /^Cancelled: fine-tuning the pruned model was stopped/, 1_000, bench.errors);

    expect(await page.getByTestId('finetune-top1').textContent(), 'top-1 of the previous run').toBe(top1);
    expect(await workerMemory(page), 'worker tensors after the cancelled run').toEqual(before);
    expect(bench.errors, 'console errors').toEqual([]);
  });
});
