import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { artifactsToFiles, saveToArtifacts } from '../../src/core/model-io';
import { openWorkbench, waitForStatus, workerMemory, type Workbench } from './harness';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from './workbench-page';

/** model.json and weights of a model without any convolution, built in Node. */
async function denseOnlyModelFiles(): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    name: 'dense_only',
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  model.dispose();
  return [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(files.modelJson) },
    { name: files.weightsFileName, mimeType: 'application/octet-stream', buffer: Buffer.from(files.weights) },
  ];
}

describe('opening your own model', () => {
  let bench: Workbench;

  beforeAll(async () => {
    bench = await openWorkbench('?calibration=32&evaluation=32');
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  });

  afterAll(async () => {
    await bench?.close();
  });

  it('rejects a model without convolutions and keeps the session', async () => {
    const { page } = bench;
    const modelBefore = await page.getByTestId('loaded-model').textContent();
    const rowBefore = await page.getByTestId('layer-conv1').textContent();
    const memoryBefore = await workerMemory(page);

    await page.getByTestId('model-files').setInputFiles(await denseOnlyModelFiles());
    const error = page.getByTestId('model-file-error');
    await error.waitFor({ timeout: 60_000 });

    expect(await error.textContent(), 'message beside the picker').toMatch(/model\.json was not opened: it has no convolution/);
    expect(await page.getByTestId('loaded-model').textContent(), 'loaded model after the rejected one').toBe(modelBefore);
    expect(await page.getByTestId('layer-conv1').textContent(), 'conv1 row after the rejected model').toBe(rowBefore);
    expect(await workerMemory(page), 'worker tensors after the rejected model').toEqual(memoryBefore);
    expect(bench.errors, 'console errors').toEqual([]);
  });
});
