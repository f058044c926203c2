// A public pretrained model on real images, as a user would bring them. The CIFAR-10 model with
// BatchNormalization and Dropout from the real-models folder beside this repository is opened
// through the model picker. A folder of CIFAR-10 test JPEGs, one subfolder per class, follows
// through the image picker. The repository contains no copy of these files, so the test skips
// when the folder is absent.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkbench, ROOT, waitForStatus, workerMemory, type Workbench } from './harness';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, parseFigure, PRUNE_TIMEOUT_MS, PRUNED, readLayerRow, readResultRow } from './workbench-page';

const REAL_MODELS = resolve(ROOT, '../shared/real-models');
const MODEL_DIR = join(REAL_MODELS, 'cifar10-bn-dropout');
const IMAGE_DIR = join(REAL_MODELS, 'images/cifar10-test-jpg-100-per-class');
const present = existsSync(join(MODEL_DIR, 'model.json')) && existsSync(IMAGE_DIR);
/** Images per class copied into the picked folder: enough for a stable top-1, few for SwiftShader. */
const PER_CLASS = 20;
/** Filters of the model's six 3×3 'same' convolutions, each followed by BatchNormalization. */
const FILTERS = [32, 32, 64, 64, 128, 128];

/**
 * Parameters of the model with `keptFilters[i]` filters in conv i: 3×3 kernels with bias, four
 * BatchNormalization vectors per channel, three 2×2 poolings (32 → 4), Dense 128 and Dense 10.
 */
function cifarParams(keptFilters: readonly number[]): number {
  let params = 0;
  let inputs = 3;
  for (const filters of keptFilters) {
    params += 9 * inputs * filters + filters + 4 * filters;
    inputs = filters;
  }
  return params + (4 * 4 * inputs * 128 + 128) + (128 * 10 + 10);
}

if (!present) console.log(`Skipping the real-model browser test: ${REAL_MODELS} with cifar10-bn-dropout and its images is absent.`);

describe.skipIf(!present)('a public CIFAR-10 model on CIFAR-10 test images', () => {
  let bench: Workbench;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'peakprune-cifar-'));
    for (const label of readdirSync(IMAGE_DIR).filter((name) => !name.includes('.')).sort()) {
      mkdirSync(join(folder, 'cifar', label), { recursive: true });
      for (const file of readdirSync(join(IMAGE_DIR, label)).sort().slice(0, PER_CLASS)) copyFileSync(join(IMAGE_DIR, label, file), join(folder, 'cifar', label, file));
    }
    bench = await openWorkbench('?calibration=16&evaluation=16');
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  });

  afterAll(async () => {
    await bench?.close();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('opens the model, then analyses it on the picked JPEG folder', async () => {
    const { page } = bench;
    await page.getByTestId('model-files').setInputFiles([join(MODEL_DIR, 'model.json'), join(MODEL_DIR, 'weights.bin')]);
    await page.getByTestId('image-error').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('image-error').textContent(), 'the shipped 28×28×1 images do not fit').toContain('which takes 32×32×3 images');

    await page.getByTestId('image-folder').setInputFiles(join(folder, 'cifar'));
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    const first = await readLayerRow(page, 'conv2d');
    expect(first.filters).toBe(FILTERS[0]);

    await page.getByTestId('measure-original').click();
    await waitForStatus(page, /^The unpruned model scores top-1 /, ANALYSIS_TIMEOUT_MS, bench.errors);
    const top1Text = ((await page.getByTestId('original-top1').textContent()) ?? '').trim();
    const top1 = Number(/([\d.]+) %$/.exec(top1Text)?.[1]);
    // The model's source reports 77.7 % on all 1,000 images; chance is 10 %.
    console.log(`cifar10-bn-dropout, unpruned, on the evaluation part of ${10 * PER_CLASS} CIFAR-10 test JPEGs: ${top1} %`);
    expect(top1, `top-1 of the unpruned model ("${top1Text}")`).toBeGreaterThan(55);
  });

  it('prunes 30 % of every convolution and reports the smaller model', async () => {
    const { page } = bench;
    await page.getByTestId('ratio-input').fill('0.3');
    await page.getByTestId('ratio-input').blur();
    const before = await workerMemory(page);
    await page.getByTestId('prune-button').click();
    await waitForStatus(page, PRUNED, PRUNE_TIMEOUT_MS, bench.errors);
    const params = await readResultRow(page, 'result-params');
    const top1 = await readResultRow(page, 'result-top1');
    console.log(`cifar10-bn-dropout at 30 %: params ${params.beforeText} → ${params.afterText}, top-1 ${top1.beforeText} → ${top1.afterText}`);
    // The result card rounds to 0.1 k, hence the tolerance of 50.
    const keptFilters = FILTERS.map((n) => n - Math.round(0.3 * n));
    expect(Math.abs(params.before - cifarParams(FILTERS)), `params before "${params.beforeText}"`).toBeLessThanOrEqual(50);
    expect(Math.abs(params.after - cifarParams(keptFilters)), `params after "${params.afterText}" against ${cifarParams(keptFilters)}`).toBeLessThanOrEqual(50);
    expect(parseFigure(top1.afterText), 'top-1 after pruning').toBeGreaterThanOrEqual(0);
    const after = await workerMemory(page);
    expect(after.numTensors, 'worker tensors: the pruned model added, nothing leaked').toBeGreaterThan(before.numTensors);
    expect(bench.errors, 'console errors').toEqual([]);
  });
});
