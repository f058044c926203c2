// Cancel on the built app: a cancelled job ends with the status "Cancelled: …", keeps what was
// on screen before it, and leaves the worker with the tensors it had before the job started.
// One browser session runs the tests in order.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describePage, openWorkbench, waitForStatus, workerMemory, type Workbench, type WorkerMemory } from './harness';
import { readShippedModel } from './shipped';
import {
  ANALYSED,
  ANALYSIS_TIMEOUT_MS,
  expectedRemovals,
  PRUNE_TIMEOUT_MS,
  PRUNED,
  readClusterCount,
  readLayerRow,
  readResultRow,
  setGlobalRatio,
  waitForDownloadsReady,
  type LayerRowFacts,
} from './workbench-page';

const CALIBRATION_IMAGES = 64;
/**
 * Five evaluation batches of 64. The worker checks for an abort only between batches, so a prune
 * of a single batch would finish before Cancel reaches it.
 */
const EVALUATION_IMAGES = 320;
const shipped = readShippedModel();
const filterCounts = shipped.convs.map((conv) => conv.filters);
const totalFilters = filterCounts.reduce((sum, n) => sum + n, 0);

const ANALYSIS_CANCELLED = /^Cancelled: analysing the model was stopped; earlier results are kept\.$/;
const PRUNE_CANCELLED = /^Cancelled: pruning the model was stopped; earlier results are kept\.$/;

let bench: Workbench;
let page: Page;
/** Worker memory after the cancelled first analysis, read by the test after it. */
let memoryAfterCancel: WorkerMemory | undefined;

beforeAll(async () => {
  bench = await openWorkbench(`?calibration=${CALIBRATION_IMAGES}&evaluation=${EVALUATION_IMAGES}`);
  page = bench.page;
});

afterAll(async () => {
  await bench?.close();
});

async function expectCleanPage(step: string): Promise<void> {
  expect(bench.errors, `console or page errors during ${step}`).toEqual([]);
  expect(await page.getByTestId('error-banner').count(), `error banner after ${step}; ${await describePage(page)}`).toBe(0);
}

/**
 * Waits until the running job's status matches `running`, clicks Cancel and returns the
 * status the job ended with. Throws when the job ended before Cancel could be clicked.
 */
async function cancelJob(running: RegExp, cancelled: RegExp, finished: RegExp, timeoutMs: number): Promise<string> {
  await waitForStatus(page, running, timeoutMs, bench.errors);
  try {
    await page.getByTestId('cancel-button').click({ timeout: 2_000 });
  } catch {
    throw new Error(`Cancel could not be clicked while the status matched ${running}; ${await describePage(page, bench.errors)}`);
  }
  const ended = await waitForStatus(page, new RegExp(`${cancelled.source}|${finished.source}`), timeoutMs, bench.errors);
  if (finished.test(ended)) throw new Error(`The job finished ("${ended}") before Cancel reached the worker; give it more images.`);
  return ended;
}

async function readLayerRows(): Promise<Map<string, LayerRowFacts>> {
  const rows = new Map<string, LayerRowFacts>();
  for (const conv of shipped.convs) rows.set(conv.name, await readLayerRow(page, conv.name));
  return rows;
}

describe('cancel', () => {
  it('stops the first analysis', async () => {
    await cancelJob(/^Analysing the model/, ANALYSIS_CANCELLED, ANALYSED, ANALYSIS_TIMEOUT_MS);

    for (const conv of shipped.convs) {
      expect(await page.getByTestId(`layer-${conv.name}`).count(), `analysed row of ${conv.name} after the cancel`).toBe(0);
    }
    const pending = await page.locator('[data-testid="layer-list"] .layer-row.pending').allTextContents();
    expect(pending, 'layer rows waiting for an analysis').toEqual(shipped.convs.map((conv) => `${conv.name} · ${conv.filters} filters · not analysed yet`));
    expect(await page.getByTestId('decision-graph').count(), 'decision graph after the cancel').toBe(0);
    expect(await page.getByTestId('analyze-button').isVisible(), 'analyze-button after the cancel').toBe(true);

    // Every tensor of the cancelled analysis is gone, so the worker contains only the model's weights.
    memoryAfterCancel = await workerMemory(page);
    expect(memoryAfterCancel.numTensors, 'worker tensors after the cancelled analysis').toBe(shipped.weightTensors);
    expect(memoryAfterCancel.numBytes, 'worker tensor bytes after the cancelled analysis').toBe(4 * shipped.params);
    await expectCleanPage('the cancelled analysis');
  });

  it('analyses again from the analyse button', async () => {
    if (memoryAfterCancel === undefined) throw new Error('This test needs the cancelled analysis of the test before it.');
    await page.getByTestId('analyze-button').click();
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    const rows = await readLayerRows();
    for (const conv of shipped.convs) expect(rows.get(conv.name)?.filters, `filters in the row of ${conv.name}`).toBe(conv.filters);
    expect(await workerMemory(page), 'worker memory after the analysis, against after the cancel').toEqual(memoryAfterCancel);
    await expectCleanPage('the second analysis');
  });

  it('stops a prune and keeps the previous result', async () => {
    await setGlobalRatio(page, 0.5, expectedRemovals(filterCounts, 0.5), totalFilters);
    await page.getByTestId('prune-button').click();
    await page.getByTestId('cancel-button').waitFor({ state: 'detached', timeout: PRUNE_TIMEOUT_MS });
    await waitForStatus(page, PRUNED, 1_000, bench.errors);
    await waitForDownloadsReady(page);
    const params = await readResultRow(page, 'result-params');
    const top1 = await readResultRow(page, 'result-top1');
    const rows = await readLayerRows();
    const clusters = await readClusterCount(page);
    const memory = await workerMemory(page);

    // A new ratio makes a plan whose result would differ from the one on screen.
    await setGlobalRatio(page, 0.3, expectedRemovals(filterCounts, 0.3), totalFilters);
    await page.getByTestId('prune-button').click();
    await cancelJob(/^Pruning the model/, PRUNE_CANCELLED, PRUNED, PRUNE_TIMEOUT_MS);

    expect(await page.getByTestId('result-card').isVisible(), 'result card after the cancelled prune').toBe(true);
    expect(await readResultRow(page, 'result-params'), 'parameters row, against the 50 % result').toEqual(params);
    expect(await readResultRow(page, 'result-top1'), 'top-1 row, against the 50 % result').toEqual(top1);
    expect(await page.getByTestId('download-model').isEnabled(), 'download-model of the 50 % result').toBe(true);
    const rowsAfter = await readLayerRows();
    for (const conv of shipped.convs) {
      const before = rows.get(conv.name);
      const after = rowsAfter.get(conv.name);
      expect(after?.filters, `filters of ${conv.name}`).toBe(before?.filters);
      expect(after?.clusters, `clusters of ${conv.name}`).toBe(before?.clusters);
    }
    expect(await readClusterCount(page), 'cluster-count of the selected layer').toBe(clusters);
    expect(await workerMemory(page), 'worker memory after the cancelled prune, against before it').toEqual(memory);
    await expectCleanPage('the cancelled prune');
  });

  it('stops a second analysis and keeps the first', async () => {
    const rows = await readLayerRows();
    const clusters = await readClusterCount(page);
    const memory = await workerMemory(page);
    expect(await page.getByTestId('analyze-button').count(), 'analyze-button while an analysis is shown').toBe(1);

    await page.getByTestId('analyze-button').click();
    await cancelJob(/^Analysing the model/, ANALYSIS_CANCELLED, ANALYSED, ANALYSIS_TIMEOUT_MS);
    expect(await readLayerRows(), 'layer rows after the cancelled analysis').toEqual(rows);
    expect(await readClusterCount(page), 'cluster-count after the cancelled analysis').toBe(clusters);
    expect(await workerMemory(page), 'worker memory after the cancelled analysis').toEqual(memory);
    await expectCleanPage('the cancelled second analysis');
  });
});
