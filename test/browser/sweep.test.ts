// The "Compare methods" panel on the built app: a sweep of two methods × three ratios, the chart
// against the downloaded sweep.csv, the SVG and PNG downloads, Cancel keeping finished points,
// a sweep with one epoch of fine-tuning per point, and the worker's tensor count. One browser
// session runs the tests in order.
import { readFileSync } from 'node:fs';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describePage, openWorkbench, saveDownloads, waitForStatus, workerMemory, type Workbench, type WorkerMemory } from './harness';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from './workbench-page';

const IMAGES = 32;
const METHODS = ['l1', 'fpgm'] as const;
const RATIOS = [0, 0.3, 0.6];
const SWEEP_TIMEOUT_MS = 300_000;
const SWEEP_DONE = /^Compared methods: \d+ prunings measured in /;
const SWEEP_CANCELLED = /^Cancelled: the comparison was stopped; the \d+ prunings measured so far are kept\.$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let bench: Workbench;
let page: Page;
let memoryBefore: WorkerMemory;

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

/** Ticks exactly `methods`, types `ratios` into the ratio field and sets the fine-tuning epochs. */
async function configure(methods: readonly string[], ratios: readonly number[], epochs = 0): Promise<void> {
  await page.getByTestId('sweep-finetune-epochs').fill(String(epochs));
  for (const box of await page.locator('[data-testid^="sweep-method-"]').all()) {
    const method = ((await box.getAttribute('data-testid')) ?? '').replace('sweep-method-', '');
    await box.setChecked(methods.includes(method));
  }
  await page.getByTestId('sweep-ratios').fill(ratios.join(','));
}

interface ChartPoint {
  method: string;
  ratio: number;
  top1: number;
}

async function readChartPoints(): Promise<ChartPoint[]> {
  return page.locator('circle.sc-point').evaluateAll((circles) =>
    circles.map((c) => ({
      method: c.getAttribute('data-method') ?? '',
      ratio: Number(c.getAttribute('data-ratio')),
      top1: Number(c.getAttribute('data-top1')),
    })),
  );
}

function parseCsv(text: string): ChartPoint[] {
  const [header, ...lines] = text.trim().split('\n');
  expect(header.startsWith('method,seed,ratio,params,flops,top1'), `CSV header "${header}"`).toBe(true);
  return lines.map((line) => {
    const cells = line.split(',');
    return { method: cells[0], ratio: Number(cells[2]), top1: Number(cells[5]) };
  });
}

async function readFineTunedPoints(): Promise<ChartPoint[]> {
  return page.locator('rect.sc-point-finetuned').evaluateAll((squares) =>
    squares.map((square) => ({
      method: square.getAttribute('data-method') ?? '',
      ratio: Number(square.getAttribute('data-ratio')),
      top1: Number(square.getAttribute('data-top1')),
    })),
  );
}

/** Reads sweep.csv by column name; the fine-tuned cells are empty for rows that were not fine-tuned. */
function parseCsvColumns(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i], cell])));
}

function sortPoints(points: ChartPoint[]): ChartPoint[] {
  return [...points].sort((a, b) => a.method.localeCompare(b.method) || a.ratio - b.ratio);
}

describe('compare methods', () => {
  it('sweeps two methods over three ratios', async () => {
    await configure(METHODS, RATIOS);
    await page.getByTestId('sweep-run').click();
    await waitForStatus(page, SWEEP_DONE, SWEEP_TIMEOUT_MS, bench.errors);

    const points = sortPoints(await readChartPoints());
    expect(points.map((p) => `${p.method}@${p.ratio}`)).toEqual(
      [...METHODS].sort().flatMap((method) => RATIOS.map((ratio) => `${method}@${ratio}`)),
    );
    for (const p of points) {
      expect(p.top1, `top-1 of ${p.method} at ${p.ratio}`).toBeGreaterThanOrEqual(0);
      expect(p.top1, `top-1 of ${p.method} at ${p.ratio}`).toBeLessThanOrEqual(1);
    }
    // Ratio 0 removes nothing, so both methods measure the same unpruned model.
    const unpruned = points.filter((p) => p.ratio === 0).map((p) => p.top1);
    expect(unpruned[0]).toBe(unpruned[1]);
    expect(await page.getByTestId('sweep-table').locator('tbody tr').count()).toBe(METHODS.length * RATIOS.length);
    await expectCleanPage('the sweep');
  });

  it('downloads a CSV that matches the chart', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-csv').click(), bench.downloadsDir);
    const csv = parseCsv(readFileSync(files.get('sweep.csv') ?? '', 'utf8'));
    expect(sortPoints(csv)).toEqual(sortPoints(await readChartPoints()));
  });

  it('downloads sweep.json with the rows', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-json').click(), bench.downloadsDir);
    const json = JSON.parse(readFileSync(files.get('sweep.json') ?? '', 'utf8')) as { complete: boolean; rows: unknown[] };
    expect(json.complete).toBe(true);
    expect(json.rows).toHaveLength(METHODS.length * RATIOS.length);
  });

  it('downloads the chart as SVG and PNG', async () => {
    const svgFiles = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-svg').click(), bench.downloadsDir);
    const svg = readFileSync(svgFiles.get('sweep.svg') ?? '', 'utf8');
    expect(svg).toContain('<svg');
    expect(svg.match(/class="sc-point"/g)?.length).toBe(METHODS.length * RATIOS.length);

    const pngFiles = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-png').click(), bench.downloadsDir);
    const png = readFileSync(pngFiles.get('sweep.png') ?? '');
    expect(png.length).toBeGreaterThan(1000);
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    await expectCleanPage('the downloads');
  });

  it('shows the figures of a point on hover', async () => {
    await page.locator('circle.sc-point[data-method="fpgm"][data-ratio="0.3"]').hover();
    const tooltip = (await page.getByTestId('sweep-tooltip').textContent()) ?? '';
    expect(tooltip).toContain('fpgm');
    expect(tooltip).toContain('ratio 0.3');
    expect(tooltip).toContain('params');
    expect(tooltip).toContain('FLOPs');
    expect(tooltip).toContain('top-1');
  });

  it('leaves the worker tensor count as before', async () => {
    const after = await workerMemory(page);
    expect(after.numTensors).toBe(memoryBefore.numTensors);
    expect(after.numBytes).toBe(memoryBefore.numBytes);
  });

  it('keeps finished points on cancel', async () => {
    await configure(['l1', 'l2', 'fpgm'], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    await page.getByTestId('sweep-run').click();
    // Waits for the second point, then cancels while later runs are still queued.
    await page.locator('circle.sc-point').nth(1).waitFor({ timeout: SWEEP_TIMEOUT_MS });
    await page.getByTestId('sweep-cancel').click();
    const status = await waitForStatus(page, new RegExp(`${SWEEP_CANCELLED.source}|${SWEEP_DONE.source}`), SWEEP_TIMEOUT_MS, bench.errors);
    expect(status, 'the sweep ended by Cancel, not by finishing').toMatch(SWEEP_CANCELLED);

    const keptCount = Number(/the (\d+) prunings/.exec(status)?.[1]);
    const points = await readChartPoints();
    expect(points.length).toBe(keptCount);
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.length).toBeLessThan(18);
    expect(points[0]).toMatchObject({ method: 'l1', ratio: 0.1 });
    expect(points[1]).toMatchObject({ method: 'l1', ratio: 0.2 });

    const files = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-csv').click(), bench.downloadsDir);
    const csv = parseCsv(readFileSync(files.get('sweep.csv') ?? '', 'utf8'));
    expect(csv).toEqual(points);

    const after = await workerMemory(page);
    expect(after.numTensors, 'worker tensors after the cancelled sweep').toBe(memoryBefore.numTensors);
    await expectCleanPage('the cancelled sweep');
  });
});

describe('compare methods with fine-tuning', () => {
  const TUNED_METHODS = ['l1', 'dpc-apoz'] as const;
  const TUNED_RATIOS = [0.3, 0.6];

  it('fine-tunes every point and draws it', async () => {
    await configure(TUNED_METHODS, TUNED_RATIOS, 1);
    await page.getByTestId('sweep-run').click();
    await waitForStatus(page, SWEEP_DONE, SWEEP_TIMEOUT_MS, bench.errors);

    const before = sortPoints(await readChartPoints());
    const after = sortPoints(await readFineTunedPoints());
    const expected = [...TUNED_METHODS].sort().flatMap((method) => TUNED_RATIOS.map((ratio) => `${method}@${ratio}`));
    expect(before.map((p) => `${p.method}@${p.ratio}`)).toEqual(expected);
    expect(after.map((p) => `${p.method}@${p.ratio}`)).toEqual(expected);
    for (const p of after) {
      expect(p.top1, `fine-tuned top-1 of ${p.method} at ${p.ratio}`).toBeGreaterThanOrEqual(0);
      expect(p.top1, `fine-tuned top-1 of ${p.method} at ${p.ratio}`).toBeLessThanOrEqual(1);
      // Top-1 on IMAGES evaluation images is a whole number of images.
      expect(Math.abs(p.top1 * IMAGES - Math.round(p.top1 * IMAGES)), `top-1 ${p.top1} is a count over ${IMAGES}`).toBeLessThan(1e-9);
    }
    expect(await page.locator('.sc-series-finetuned').count()).toBe(TUNED_METHODS.length);
    expect(await page.getByTestId('sweep-chart').textContent()).toContain('after fine-tuning');
    await expectCleanPage('the fine-tuned sweep');
  });

  it('exports the fine-tuned points as drawn', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-csv').click(), bench.downloadsDir);
    const rows = parseCsvColumns(readFileSync(files.get('sweep.csv') ?? '', 'utf8'));
    expect(rows).toHaveLength(TUNED_METHODS.length * TUNED_RATIOS.length);
    const fromCsv = rows.map((row) => ({ method: row.method, ratio: Number(row.ratio), top1: Number(row.top1_finetuned) }));
    expect(sortPoints(fromCsv)).toEqual(sortPoints(await readFineTunedPoints()));
    const beforeFromCsv = rows.map((row) => ({ method: row.method, ratio: Number(row.ratio), top1: Number(row.top1) }));
    expect(sortPoints(beforeFromCsv)).toEqual(sortPoints(await readChartPoints()));
    for (const row of rows) {
      expect(row.finetune_epochs, `epochs run for ${row.method} at ${row.ratio}`).toBe('1');
      expect(['0', '1'], `kept epoch for ${row.method} at ${row.ratio}`).toContain(row.finetune_best_epoch);
    }
  });

  it('records the fine-tuning settings in sweep.json', async () => {
    const files = await saveDownloads(page, 1, () => page.getByTestId('sweep-download-json').click(), bench.downloadsDir);
    const json = JSON.parse(readFileSync(files.get('sweep.json') ?? '', 'utf8')) as { settings: { fineTune: { epochs: number; ratios: number[] } | null } };
    expect(json.settings.fineTune?.epochs).toBe(1);
    expect(json.settings.fineTune?.ratios).toEqual(TUNED_RATIOS);
  });

  it('leaves the worker tensor count as before', async () => {
    const after = await workerMemory(page);
    expect(after.numTensors).toBe(memoryBefore.numTensors);
    expect(after.numBytes).toBe(memoryBefore.numBytes);
  });
});
