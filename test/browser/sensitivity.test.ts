// The "Layer sensitivity" panel on the built app, on a few images: one layer pruned at a time at
// two ratios, and the chart against the downloaded sensitivity.csv. The proposal is checked
// against one worked out here from that CSV, then "Use these ratios" must change the pruning
// plan and the worker's tensor count must stay as it was. One browser session runs the tests in order.
import { readFileSync } from 'node:fs';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { proposeLayerRatios, type SensitivityRow } from '../../src/core/sensitivity';
import { describePage, openWorkbench, saveDownloads, waitForStatus, workerMemory, type Workbench, type WorkerMemory } from './harness';
import { readShippedModel } from './shipped';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, expectedRemovals } from './workbench-page';

const IMAGES = 32;
const RATIOS = [0.3, 0.6];
/** Accuracy-drop limit typed into the panel, in percentage points. */
const MAX_DROP_POINTS = 5;
const SENSITIVITY_TIMEOUT_MS = 300_000;
const DONE = /^Measured layer sensitivity: (\d+) single-layer prunings in /;

const shipped = readShippedModel();

let bench: Workbench;
let page: Page;
let memoryBefore: WorkerMemory;
let csvRows: SensitivityRow[] = [];

beforeAll(async () => {
  bench = await openWorkbench(`?calibration=${IMAGES}&evaluation=${IMAGES}`);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  memoryBefore = await workerMemory(page);
});

afterAll(async () => {
  await bench?.close();
});

async function expectCleanPage(step: string): Promise<void> {
  expect(bench.errors, `console or page errors during ${step}`).toEqual([]);
  expect(await page.getByTestId('error-banner').count(), `error banner after ${step}; ${await describePage(page)}`).toBe(0);
}

async function readChartPoints(): Promise<{ layer: string; ratio: number; top1: number }[]> {
  return page.locator('circle.sens-point').evaluateAll((circles) =>
    circles.map((c) => ({ layer: c.getAttribute('data-layer') ?? '', ratio: Number(c.getAttribute('data-ratio')), top1: Number(c.getAttribute('data-top1')) })),
  );
}

function parseCsv(text: string): SensitivityRow[] {
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe('layer,ratio,params,flops,top1');
  return lines.map((line) => {
    const [layer, ratio, params, flops, top1] = line.split(',');
    return { layer, ratio: Number(ratio), params: Number(params), flops: Number(flops), top1: Number(top1) };
  });
}

describe('layer sensitivity', () => {
  it('measures every layer at every ratio', async () => {
    await page.getByTestId('sensitivity-method').selectOption('l1');
    await page.getByTestId('sensitivity-ratios').fill(RATIOS.join(','));
    await page.getByTestId('sensitivity-max-drop').fill(String(MAX_DROP_POINTS));
    await page.getByTestId('sensitivity-run').click();
    const status = await waitForStatus(page, DONE, SENSITIVITY_TIMEOUT_MS, bench.errors);
    expect(Number(DONE.exec(status)?.[1])).toBe(shipped.convs.length * RATIOS.length);

    const points = await readChartPoints();
    expect(points.map((p) => `${p.layer}@${p.ratio}`)).toEqual(shipped.convs.flatMap((conv) => RATIOS.map((ratio) => `${conv.name}@${ratio}`)));
    for (const p of points) {
      expect(p.top1, `top-1 with ${p.layer} at ${p.ratio}`).toBeGreaterThanOrEqual(0);
      expect(p.top1, `top-1 with ${p.layer} at ${p.ratio}`).toBeLessThanOrEqual(1);
    }
    expect(await page.locator('.sens-line').count()).toBe(shipped.convs.length);
    expect(await page.getByTestId('sensitivity-table').locator('tbody tr').count()).toBe(shipped.convs.length);
    await expectCleanPage('the sensitivity analysis');
  });

  it('downloads a CSV that matches the chart', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sensitivity-download-csv').click(), bench.downloadsDir);
    csvRows = parseCsv(readFileSync(files.get('sensitivity.csv') ?? '', 'utf8'));
    expect(csvRows.map(({ layer, ratio, top1 }) => ({ layer, ratio, top1 }))).toEqual(await readChartPoints());
    // Pruning a layer can only lower the parameter count.
    for (const row of csvRows) expect(row.params, `params with ${row.layer} at ${row.ratio}`).toBeLessThan(shipped.params);
  });

  it('proposes the largest ratio within the limit', async () => {
    const baseline = Number(await page.locator('line.sens-baseline').getAttribute('data-top1'));
    expect(baseline).toBeGreaterThan(0);
    const expected = proposeLayerRatios(csvRows, baseline, MAX_DROP_POINTS / 100, RATIOS);
    for (const conv of shipped.convs) {
      const cell = (await page.getByTestId(`sensitivity-proposed-${conv.name}`).textContent()) ?? '';
      expect(Number(cell), `proposed ratio of ${conv.name}`).toBe(expected[conv.name]);
    }
    expect(await page.getByTestId('sensitivity-proposal').textContent()).toContain('Proposed ratios:');
  });

  it('loads the proposal into the plan', async () => {
    const baseline = Number(await page.locator('line.sens-baseline').getAttribute('data-top1'));
    const expected = proposeLayerRatios(csvRows, baseline, MAX_DROP_POINTS / 100, RATIOS);
    // A global ratio of 0.1 differs from both tested ratios, so every layer's count shows whether its own ratio applied.
    await page.getByTestId('ratio-input').fill('0.1');
    await page.getByTestId('ratio-input').blur();
    await page.getByTestId('sensitivity-apply').click();

    expect(await page.getByTestId('method-select').inputValue()).toBe('l1');
    let removedTotal = 0;
    for (const conv of shipped.convs) {
      const ratio = expected[conv.name];
      const field = page.getByTestId(`layer-ratio-${conv.name}`);
      expect(await field.inputValue(), `ratio field of ${conv.name}`).toBe(String(ratio));
      const removed = expectedRemovals([conv.filters], ratio);
      removedTotal += removed;
      expect(await page.getByTestId(`removed-${conv.name}`).textContent(), `removed filters of ${conv.name}`).toBe(`−${removed}`);
    }
    const totalFilters = shipped.convs.reduce((sum, conv) => sum + conv.filters, 0);
    expect(await page.getByTestId('plan-summary').textContent()).toContain(`removes ${removedTotal} of ${totalFilters} filters`);
    await expectCleanPage('using the proposed ratios');
  });

  it('downloads the chart as SVG', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sensitivity-download-svg').click(), bench.downloadsDir);
    const svg = readFileSync(files.get('sensitivity.svg') ?? '', 'utf8');
    expect(svg).toContain('<svg');
    expect(svg.match(/class="sens-point"/g)?.length).toBe(shipped.convs.length * RATIOS.length);
  });

  it('shows the figures of a point on hover', async () => {
    // Points of equal top-1 overlap, and the last layer's point is drawn last, so it is on top.
    const last = shipped.convs[shipped.convs.length - 1].name;
    await page.locator(`circle.sens-point[data-layer="${last}"][data-ratio="0.6"]`).hover();
    const tooltip = (await page.getByTestId('sensitivity-tooltip').textContent()) ?? '';
    expect(tooltip).toContain(last);
    expect(tooltip).toContain('ratio 0.6');
    expect(tooltip).toContain('top-1');
    expect(tooltip).toContain('drop');
  });

  it('leaves the worker tensor count as before', async () => {
    const after = await workerMemory(page);
    // The first run caches the unpruned model's top-1 as a plain number, not a tensor.
    expect(after.numTensors).toBe(memoryBefore.numTensors);
    expect(after.numBytes).toBe(memoryBefore.numBytes);
  });
});
