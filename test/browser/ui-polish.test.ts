// Workbench polish on the built app: Cancel while loading, the header's image wording, the
// ignored URL limit, number-field ranges, the single-cluster hint, the model picker's file
// checks and the layout at two widths (screenshots go to the folder printed below).
// One browser session runs the tests in order, and each test starts from the state the
// previous one left.
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describePage, openWorkbench, waitForStatus, type Workbench } from './harness';
import { MODEL_JSON_PATH, readShippedModel } from './shipped';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, readClusterCount, readLayerRow } from './workbench-page';

/** `evaluation=0` is invalid on purpose: the page ignores it, loads all evaluation images and shows a notice. */
const QUERY = '?calibration=32&evaluation=0';
const LOAD_CANCELLED = /^Cancelled: loading stopped after the step that was running/;
const SCREENSHOTS = join(tmpdir(), 'peakprune-ui-polish');
const shipped = readShippedModel();

let bench: Workbench;
let page: Page;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  bench = await openWorkbench(QUERY);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
});

afterAll(async () => {
  await bench?.close();
});

describe('workbench polish', () => {
  it('cancels loading between steps', async () => {
    // A second page whose calibration sprite is held back, so Cancel lands inside the load
    // deterministically: the held step finishes once released, and the load stops after it.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await bench.context.route('**/samples/calibration.png', async (route) => {
      await released;
      await route.continue();
    });
    const second = await bench.context.newPage();
    try {
      await second.goto(bench.url + QUERY);
      // The second page shares the first page's saved session, so it restores that session.
      await waitForStatus(second, /^(Loading the model and images|Restoring the saved session): decoding the calibration images/, 60_000, bench.errors);
      await second.getByTestId('cancel-button').click();
      release();

      const text = await waitForStatus(second, LOAD_CANCELLED, 60_000, bench.errors);
      expect(text).toMatch(LOAD_CANCELLED);
      expect(await second.getByTestId('cancel-button').count(), 'no job runs after Cancel').toBe(0);
      expect(await second.getByTestId('loaded-images').textContent(), 'evaluation step never ran').toContain('evaluation: not loaded');
      expect(await second.getByTestId(`layer-${shipped.convs[0].name}`).count(), 'no analysis after Cancel').toBe(0);

      await bench.context.unroute('**/samples/calibration.png');
      await second.getByTestId('reload-button').click();
      await waitForStatus(second, /^Analysing the model|^Analysed \d+ layers/, 60_000, bench.errors);
      expect(await second.getByTestId('loaded-images').textContent(), 'both sets after reload').toContain('1,000 evaluation');
    } finally {
      release();
      await second.close();
    }
  });

  it('names the data set and splits', async () => {
    const images = (await page.getByTestId('loaded-images').textContent()) ?? '';
    expect(images).toContain('Fashion-MNIST · 32 calibration (calibration.png, training split)');
    expect(images).toContain('1,000 evaluation (evaluation.png, test split)');
  });

  it('reports the ignored URL limit', async () => {
    const notice = (await page.getByTestId('url-notice').textContent()) ?? '';
    expect(notice).toContain('"evaluation=0"');
    expect(notice).not.toContain('calibration=');
  });

  it('states number-field ranges', async () => {
    const percentile = page.getByTestId('percentile-input');
    expect(await percentile.getAttribute('title')).toBe('Allowed: a number from 0.1 to 100');
    await percentile.fill('150');
    expect(await percentile.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('percentile-input-hint').textContent()).toBe('Enter a number from 0.1 to 100.');
    await percentile.fill('0');
    expect(await page.getByTestId('percentile-input-hint').getAttribute('class'), 'hint shown while invalid').toBe('range-hint');
    await percentile.blur();
    expect(await percentile.getAttribute('aria-invalid')).toBe('false');

    const ratio = page.getByTestId('ratio-input');
    await ratio.fill('0.95');
    expect(await page.getByTestId('ratio-input-hint').textContent()).toBe('Enter a number from 0 to 0.9.');
    await ratio.blur();
    const hint = page.getByTestId('ratio-input-hint');
    expect(await hint.getAttribute('class'), 'hint hidden once valid').toBe('range-hint visually-hidden');
    expect(await hint.textContent()).toBe('Allowed: a number from 0 to 0.9.');
  });

  it('hints at one automatic cluster', async () => {
    for (const conv of shipped.convs) {
      await page.getByTestId(`layer-${conv.name}`).click();
      await page.getByRole('heading', { name: conv.name }).waitFor();
      const clusters = await readClusterCount(page);
      expect((await readLayerRow(page, conv.name)).clusters, `${conv.name} row and controls agree`).toBe(clusters);
      const hints = await page.getByTestId('single-cluster-hint').count();
      expect(hints, `${conv.name} has ${clusters} automatic clusters`).toBe(clusters === 1 ? 1 : 0);
    }

    // A cluster count set by hand is not the automatic rule, so the hint goes even at one cluster.
    const last = shipped.convs[shipped.convs.length - 1].name;
    await page.getByTestId('cluster-count-input').fill('1');
    await expect.poll(() => readLayerRow(page, last).then((row) => row.clusters)).toBe(1);
    expect(await page.getByTestId('single-cluster-hint').count()).toBe(0);
    await page.getByTestId('auto-centers').click();
  });

  it('puts pruning first when narrow', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'workbench-1400x900.png') });
    const wideButton = await page.getByTestId('prune-button').boundingBox();
    const wideKernels = await page.getByTestId('kernel-panel').boundingBox();
    expect(wideButton, 'Prune button box at 1400 px').not.toBeNull();
    expect(wideKernels, 'kernel panel box at 1400 px').not.toBeNull();
    expect(wideButton!.x, 'prune column right of the kernels at 1400 px').toBeGreaterThan(wideKernels!.x + wideKernels!.width);

    await page.setViewportSize({ width: 800, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'workbench-800x900.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'workbench-800-full.png'), fullPage: true });
    const narrowButton = await page.getByTestId('prune-button').boundingBox();
    const narrowKernels = await page.getByTestId('kernel-panel').boundingBox();
    expect(narrowButton!.y + narrowButton!.height, 'Prune above the kernels at 800 px').toBeLessThan(narrowKernels!.y);
    expect(narrowButton!.y + narrowButton!.height, 'Prune on the first screen at 800×900').toBeLessThanOrEqual(900);
    await page.setViewportSize({ width: 1400, height: 1000 });
    console.log(`ui-polish screenshots: ${SCREENSHOTS}`);
  });

  it('finds model.json and extensionless shards', async () => {
    const input = page.getByTestId('model-files');
    expect(await input.getAttribute('accept'), 'the picker accepts any file').toBeNull();

    const json = JSON.parse(readFileSync(MODEL_JSON_PATH, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0].paths = ['group1-shard1of1'];
    const jsonBuffer = Buffer.from(JSON.stringify(json));
    const weights = readFileSync(join(MODEL_JSON_PATH, '..', 'group1-shard1of1.bin'));

    await input.setInputFiles([{ name: 'renamed-topology', mimeType: 'application/octet-stream', buffer: jsonBuffer }]);
    const error = page.getByTestId('model-file-error');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await error.textContent()).toContain('renamed-topology needs the weight files group1-shard1of1, which were not chosen');

    await input.setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a model') },
      { name: 'group1-shard1of1', mimeType: 'application/octet-stream', buffer: weights },
      { name: 'renamed-topology', mimeType: 'application/octet-stream', buffer: jsonBuffer },
    ]);
    // The analysis starts in the same task that installs the model, so once the header names
    // the new model the status line shows the new job until it ends.
    await expect.poll(async () => page.getByTestId('loaded-model').textContent(), { timeout: 60_000 }).toContain('renamed-topology');
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    expect(await page.getByTestId('model-file-error').count()).toBe(0);
  });

  it('leaves no errors', async () => {
    expect(bench.errors, 'console or page errors').toEqual([]);
    expect(await page.getByTestId('error-banner').count(), await describePage(page)).toBe(0);
  });
});
