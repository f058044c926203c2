// A VGG-16-sized model through the whole page: load, analyse (13 layers, up to 512 filters),
// show a 512-filter layer, prune, evaluate and download, in the app's worker on WebGL. The test
// asserts what must hold; it prints times, the longest main-thread task per step and the
// worker's GPU memory, which docs/benchmarks.md reports. Times are not asserted.
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadFromFiles } from '../../src/core/model-io';
import { openWorkbench, saveDownloads, waitForStatus, workerGpuMemory, type Workbench, type WorkerGpuMemory } from './harness';
import { LONG_TASK_OBSERVER, longestIn, readLongTasks, type JobWindow } from './long-tasks';
import { makeVgg16Files, serveVgg16, VGG16_FILTERS, vgg16Params, type Vgg16Files } from './vgg16-fixture';
import { ANALYSED, expectedRemovals, PRUNED, readLayerRow, setGlobalRatio, waitForDownloadsReady } from './workbench-page';

/** Calibration and evaluation images: enough for APoZ to run every layer, few enough for SwiftShader. */
const IMAGES = 32;
const RATIO = 0.5;
/** VGG-16 on SwiftShader is slow; these bound a stuck job, not the expected time. */
const ANALYSIS_TIMEOUT_MS = 600_000;
const PRUNE_TIMEOUT_MS = 600_000;
/** tfjs weight tensors of VGG-16: a kernel and a bias for each of 13 convolutions and 2 dense layers. */
const WEIGHT_TENSORS = 2 * (VGG16_FILTERS.length + 2);

const figures: Record<string, string> = {};
let files: Vgg16Files;
let bench: Workbench;
let page: Page;
let pageOpenedAt = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const tensorsBefore = tf.memory().numTensors;
  files = await makeVgg16Files();
  expect(tf.memory().numTensors, 'Node tensors after building the fixture').toBe(tensorsBefore);
  pageOpenedAt = Date.now();
  bench = await openWorkbench(`?calibration=${IMAGES}&evaluation=${IMAGES}`, {
    prepare: async (context) => {
      await context.addInitScript(LONG_TASK_OBSERVER);
      await serveVgg16(context, files, IMAGES);
    },
  });
  page = bench.page;
}, 300_000);

afterAll(async () => {
  const lines = Object.entries(figures).map(([step, figure]) => `  ${step}: ${figure}`);
  console.log(`VGG-16 in the page (${IMAGES} calibration and ${IMAGES} evaluation images):\n${lines.join('\n')}`);
  await bench?.close();
});

async function pageNow(): Promise<number> {
  return page.evaluate(() => performance.now());
}

async function longestTask(window: JobWindow): Promise<string> {
  const longest = longestIn(await readLongTasks(page), window);
  return longest === 0 ? 'no task over 50 ms' : `${longest.toFixed(0)} ms`;
}

function describeMemory(memory: WorkerGpuMemory): string {
  const mib = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);
  return `${memory.numTensors} tensors, ${mib(memory.numBytes)} in tensors, GPU live ${mib(memory.numBytesInGPU)}, GPU allocated ${mib(memory.numBytesInGPUAllocated)}`;
}

describe('VGG-16 in the workbench', () => {
  it('builds the fixture with the parameter count worked out from the architecture', () => {
    expect(files.params).toBe(vgg16Params(VGG16_FILTERS));
    expect(files.params).toBe(14_982_474);
  });

  it('loads and analyses all 13 convolution layers', async () => {
    const start = await pageNow();
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    figures['page open → first analysis done'] = `${((Date.now() - pageOpenedAt) / 1000).toFixed(1)} s`;
    figures['longest task, load and analysis'] = await longestTask({ start, end: await pageNow() });
    for (const [i, filters] of VGG16_FILTERS.entries()) {
      const row = await readLayerRow(page, `conv${i + 1}`);
      expect(row.filters, `filters of conv${i + 1}`).toBe(filters);
      expect(row.clusters, `clusters of conv${i + 1}`).toBeGreaterThanOrEqual(1);
    }
    const memory = await workerGpuMemory(page);
    figures['worker memory after analysis'] = describeMemory(memory);
    expect(memory.numTensors, 'worker tensors after analysis: the model weights only').toBe(WEIGHT_TENSORS);
    expect(bench.errors).toEqual([]);
  });

  it('draws a 512-filter layer in the decision graph and the kernel grid', async () => {
    const start = await pageNow();
    await page.getByTestId('layer-conv13').click();
    // Both views hold one mark per filter once the layer is drawn.
    await page.waitForFunction(
      () => document.querySelectorAll('.decision-graph .dg-point').length === 512 && document.querySelectorAll('.kernel-grid .kg-tile').length === 512,
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
    const drawn = await pageNow();
    figures['click conv13 → 512 points and 512 tiles drawn'] = `${(drawn - start).toFixed(0)} ms`;
    figures['longest task, drawing conv13'] = await longestTask({ start, end: drawn });
  });

  it('returns to the same tensor count after analysing again', async () => {
    const before = await workerGpuMemory(page);
    const start = await pageNow();
    const started = Date.now();
    await page.getByTestId('analyze-button').click();
    await page.getByTestId('cancel-button').waitFor({ state: 'detached', timeout: ANALYSIS_TIMEOUT_MS });
    await waitForStatus(page, ANALYSED, 1_000, bench.errors);
    figures['analysis again'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    figures['longest task, second analysis'] = await longestTask({ start, end: await pageNow() });
    const after = await workerGpuMemory(page);
    figures['worker memory after the second analysis'] = describeMemory(after);
    expect(after.numTensors, 'worker tensors after a second analysis').toBe(before.numTensors);
    expect(after.numTensors, 'worker tensors after a second analysis: the model weights only').toBe(WEIGHT_TENSORS);
  });

  it('prunes half the filters, evaluates and downloads a model with the surviving channels', async () => {
    const total = VGG16_FILTERS.reduce((sum, n) => sum + n, 0);
    await setGlobalRatio(page, RATIO, expectedRemovals(VGG16_FILTERS, RATIO), total);
    const start = await pageNow();
    const started = Date.now();
    await page.getByTestId('prune-button').click();
    await waitForStatus(page, PRUNED, PRUNE_TIMEOUT_MS, bench.errors);
    await waitForDownloadsReady(page);
    figures['prune + rebuild + evaluation + export'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    figures['longest task, pruning'] = await longestTask({ start, end: await pageNow() });
    const memory = await workerGpuMemory(page);
    figures['worker memory after pruning'] = describeMemory(memory);
    expect(memory.numTensors, 'worker tensors after pruning: original and pruned weights').toBe(2 * WEIGHT_TENSORS);

    const saved = await saveDownloads(page, 2, () => page.getByTestId('download-model').click(), bench.downloadsDir, 120_000);
    const modelJsonPath = saved.get('model.json');
    if (modelJsonPath === undefined) throw new Error(`download-model saved ${[...saved.keys()].join(', ')}, not model.json`);
    const modelJson = readFileSync(modelJsonPath, 'utf8');
    const weightsName = (JSON.parse(modelJson) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0].paths[0];
    const weightsPath = saved.get(weightsName);
    if (weightsPath === undefined) throw new Error(`model.json names ${weightsName}, but the download saved ${[...saved.keys()].join(', ')}`);

    const tensorsBefore = tf.memory().numTensors;
    const pruned = await loadFromFiles(modelJson, new Map([[weightsName, readFileSync(weightsPath)]]));
    try {
      const keptFilters = VGG16_FILTERS.map((n) => n - Math.min(Math.round(RATIO * n), n - 1));
      const filters = VGG16_FILTERS.map((_, i) => (pruned.getLayer(`conv${i + 1}`).getConfig() as { filters: number }).filters);
      expect(filters, 'filters per conv layer of the downloaded model').toEqual(keptFilters);
      expect(pruned.countParams(), 'parameters of the downloaded model').toBe(vgg16Params(keptFilters));
      const output = tf.tidy(() => pruned.predict(tf.ones([1, 32, 32, 3])) as tf.Tensor);
      const probabilities = Array.from(await output.data());
      output.dispose();
      expect(probabilities.reduce((s, p) => s + p, 0), 'softmax of the reloaded model sums to 1').toBeCloseTo(1, 4);
    } finally {
      pruned.dispose();
    }
    expect(tf.memory().numTensors, 'Node tensors after disposing the reloaded model').toBe(tensorsBefore);
  });
});
