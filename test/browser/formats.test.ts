// Opens the user's own model in the built app in every supported way: files in any order, a
// folder, a drop, a zip, a Keras .h5 and a .keras file. Bad files must leave the loaded model.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { saveToArtifacts } from '../../src/core/model-io';
import { kerasH5, kerasV3 } from '../fixtures/keras-writer';
import { tfjsFiles } from '../fixtures/model-files';
import { openWorkbench, waitForStatus, workerMemory, type Workbench } from './harness';
import { encodePng, solid } from './image-files';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from './workbench-page';

interface Upload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Builds a conv model for the shipped 28×28×1 images and 10 classes: conv "c1" (4 filters), global average pool, dense. */
function tinyModel(name: string): tf.Sequential {
  return tf.sequential({
    name,
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense' }),
    ],
  });
}

/** model.json and its shards (of 64 bytes, so there are several) of a tiny model called `name`. */
async function tfjsUploads(name: string): Promise<Upload[]> {
  const model = tinyModel(name);
  const files = await tfjsFiles(model, 64);
  model.dispose();
  const json = { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(files.json)) };
  const shards = files.shards.map((shard) => ({ name: shard.path, mimeType: 'application/octet-stream', buffer: Buffer.from(shard.bytes) }));
  return [json, ...shards];
}

async function waitForModel(bench: Workbench, name: string): Promise<void> {
  await expect.poll(async () => bench.page.getByTestId('loaded-model').textContent(), { timeout: 60_000 }).toContain(`(${name})`);
  await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  expect(await bench.page.getByTestId('model-file-error').count(), 'no error beside the picker').toBe(0);
}

/** Drops files on the picker as a file manager would, through a DataTransfer built in the page. */
async function dropFiles(page: Page, uploads: readonly Upload[]): Promise<void> {
  const payload = uploads.map((upload) => ({ name: upload.name, base64: upload.buffer.toString('base64') }));
  await page.getByTestId('model-drop').evaluate((target, files) => {
    const transfer = new DataTransfer();
    for (const file of files) {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name));
    }
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

/**
 * Serves the uploads on loopback twice: under /cors/ with Access-Control-Allow-Origin: *, and
 * under /plain/ without it, so the page may read only the first.
 */
async function serveModel(uploads: readonly Upload[]): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) => {
    const match = /^\/(cors|plain)\/(.+)$/.exec(request.url ?? '');
    const upload = uploads.find((candidate) => candidate.name === match?.[2]);
    if (match === null || upload === undefined) {
      response.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': upload.mimeType };
    if (match[1] === 'cors') headers['access-control-allow-origin'] = '*';
    response.writeHead(200, headers).end(upload.buffer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/**
 * Writes a model into IndexedDB in the layout tfjs 4's `indexeddb://` handler uses: database
 * "tensorflowjs" (version 1) with object stores "models_store" and "model_info_store", both
 * keyed by "modelPath". Runs in the page.
 */
function writeTfjsRecord({ name, json, base64 }: { name: string; json: Record<string, unknown>; base64: string }): Promise<void> {
  const weightData = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('tensorflowjs', 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('models_store', { keyPath: 'modelPath' });
      open.result.createObjectStore('model_info_store', { keyPath: 'modelPath' });
    };
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const transaction = open.result.transaction(['models_store', 'model_info_store'], 'readwrite');
      transaction.objectStore('models_store').put({ modelPath: name, modelArtifacts: { ...json, weightData } });
      transaction.objectStore('model_info_store').put({ modelPath: name, modelArtifactsInfo: { dateSaved: new Date(), weightDataBytes: weightData.byteLength } });
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    };
  });
}

describe('model formats in the page', () => {
  let bench: Workbench;
  let folder: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    folder = mkdtempSync(join(tmpdir(), 'peakprune-formats-'));
    bench = await openWorkbench('?calibration=16&evaluation=16');
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  });

  it('opens the shipped model without an error beside the picker', async () => {
    // The app requests a metadata.json beside the shipped model, and the server returns index.html for it.
    expect(await bench.page.getByTestId('model-file-error').count()).toBe(0);
  });

  afterAll(async () => {
    await bench?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens files picked in any order', async () => {
    const uploads = await tfjsUploads('tiny_files');
    expect(uploads.length).toBeGreaterThan(3);

    await bench.page.getByTestId('model-files').setInputFiles([...uploads].reverse());

    await waitForModel(bench, 'tiny_files');
  });

  it('opens a picked folder', async () => {
    const dir = join(folder, 'exported');
    mkdirSync(dir);
    for (const upload of await tfjsUploads('tiny_folder')) writeFileSync(join(dir, upload.name), upload.buffer);

    await bench.page.getByTestId('model-folder').setInputFiles(dir);

    await waitForModel(bench, 'tiny_folder');
    expect(await bench.page.getByTestId('loaded-model').textContent()).toContain('exported/model.json');
  });

  it('opens dropped files', async () => {
    await dropFiles(bench.page, await tfjsUploads('tiny_dropped'));

    await waitForModel(bench, 'tiny_dropped');
  });

  it('opens a zip', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const upload of await tfjsUploads('tiny_zipped')) entries[`zipped/${upload.name}`] = upload.buffer;

    await bench.page.getByTestId('model-files').setInputFiles([{ name: 'tiny.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) }]);

    await waitForModel(bench, 'tiny_zipped');
  });

  it('opens a Keras .h5 file', async () => {
    const model = tinyModel('tiny_h5');
    const bytes = await kerasH5(model);
    model.dispose();

    await bench.page.getByTestId('model-files').setInputFiles([{ name: 'tiny.h5', mimeType: 'application/x-hdf5', buffer: Buffer.from(bytes) }]);

    await waitForModel(bench, 'tiny_h5');
  });

  it('opens a Keras .keras file', async () => {
    const model = tinyModel('tiny_keras3');
    const bytes = await kerasV3(model);
    model.dispose();

    await bench.page.getByTestId('model-files').setInputFiles([{ name: 'tiny.keras', mimeType: 'application/zip', buffer: Buffer.from(bytes) }]);

    await waitForModel(bench, 'tiny_keras3');
  });

  it('keeps the model after bad files', async () => {
    const { page } = bench;
    const modelBefore = await page.getByTestId('loaded-model').textContent();
    const memoryBefore = await workerMemory(page);
    const good = await tfjsUploads('never_loaded');
    const bad: { files: Upload[]; message: string }[] = [
      {
        files: [{ name: 'model.json', mimeType: 'application/json', buffer: good[0].buffer.subarray(0, 80) }],
        message: 'model.json ends before its JSON is complete (80 characters), so it is truncated; download or copy it again.',
      },
      {
        files: good.slice(0, 2),
        message: 'model.json needs the weight files',
      },
      {
        files: [{ name: 'big.zip', mimeType: 'application/zip', buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]) }],
        message: 'big.zip is not a readable zip file',
      },
    ];

    for (const { files, message } of bad) {
      await page.getByTestId('model-files').setInputFiles(files);
      await expect.poll(async () => (await page.getByTestId('model-file-error').count()) > 0 && page.getByTestId('model-file-error').textContent(), { timeout: 60_000 }).toContain(message);
      expect(await page.getByTestId('loaded-model').textContent(), `model after "${message}"`).toBe(modelBefore);
      expect(await workerMemory(page), `worker tensors after "${message}"`).toEqual(memoryBefore);
    }
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('opens a model from a cross-origin URL', async () => {
    const { page } = bench;
    const uploads = await tfjsUploads('tiny_url');
    const server = await serveModel(uploads);
    try {
      await page.getByTestId('model-url').fill(`${server.url}/plain/model.json`);
      await page.getByTestId('model-url-open').click();
      await expect
        .poll(async () => ((await page.getByTestId('model-file-error').count()) > 0 ? page.getByTestId('model-file-error').textContent() : ''), { timeout: 60_000 })
        .toContain(`Could not fetch model.json from ${server.url}`);

      await page.getByTestId('model-url').fill(`${server.url}/cors/model.json`);
      await page.getByTestId('model-url-open').click();

      await waitForModel(bench, 'tiny_url');
    } finally {
      server.close();
    }
  });

  it('opens a model saved in IndexedDB', async () => {
    const { page } = bench;
    const model = tinyModel('tiny_stored');
    const artifacts = await saveToArtifacts(model);
    model.dispose();
    const weights = Buffer.from(artifacts.weightData as ArrayBuffer).toString('base64');
    const record = { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, format: 'layers-model' };
    await page.evaluate(writeTfjsRecord, { name: 'tiny-stored', json: record, base64: weights });

    await page.getByTestId('stored-models-refresh').click();
    await page.getByTestId('stored-model-tiny-stored').click();

    await waitForModel(bench, 'tiny_stored');
    expect(await page.getByTestId('loaded-model').textContent()).toContain('indexeddb://tiny-stored');
  });

  it('recovers from a lost WebGL context', async () => {
    const { page } = bench;
    expect(await page.getByTestId('backend').textContent(), 'backend').toMatch(/webgl/i);
    const modelBefore = await page.getByTestId('loaded-model').textContent();
    const worker = page.workers().find((candidate) => /worker/.test(candidate.url()));
    expect(worker, 'the app worker').toBeDefined();

    // Calls the worker API method loseWebglContext with a message in Comlink's format, as the
    // page's proxy would. The reply reaches the page, whose proxy ignores its unknown id.
    await worker!.evaluate(async () => {
      const data = { id: 'test-lose-context', type: 'APPLY', path: ['loseWebglContext'], argumentList: [] };
      self.dispatchEvent(new MessageEvent('message', { data }));
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    await page.getByRole('button', { name: 'Analyse again' }).click();

    await expect
      .poll(async () => ((await page.getByTestId('error-banner').count()) > 0 ? page.getByTestId('error-banner').textContent() : ''), { timeout: 60_000 })
      .toContain('The WebGL context was lost during analyze; tfjs restarted on webgl and the model was read again');
    expect(await page.getByTestId('loaded-model').textContent(), 'model after the loss').toBe(modelBefore);

    await page.getByRole('button', { name: 'Analyse again' }).click();
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  });

  // Runs last: it replaces the shipped 28×28×1 images.
  it('opens a model for other images and asks for matching ones', async () => {
    const { page } = bench;
    const model = tf.sequential({
      name: 'tiny_rgb',
      layers: [
        tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense' }),
      ],
    });
    const files = await tfjsFiles(model, 1 << 20);
    model.dispose();
    await page.getByTestId('model-files').setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(files.json)) },
      ...files.shards.map((shard) => ({ name: shard.path, mimeType: 'application/octet-stream', buffer: Buffer.from(shard.bytes) })),
    ]);
    await expect.poll(async () => page.getByTestId('loaded-model').textContent(), { timeout: 60_000 }).toContain('(tiny_rgb)');
    const imageRequest = page.getByTestId('image-error');
    await imageRequest.waitFor({ timeout: 30_000 });
    expect(await imageRequest.textContent()).toContain('(28×28×1, 10 classes) do not fit model.json, which takes 32×32×3 images');
    expect(await page.getByTestId('model-file-error').count(), 'the model itself was accepted').toBe(0);

    // Two 32×32 RGB images per class in class folders, zipped.
    const entries: Record<string, Uint8Array> = {};
    for (let label = 0; label < 10; label++) {
      for (let i = 0; i < 2; i++) entries[`rgb/${label}/${i}.png`] = encodePng(32, 32, solid(32, 32, [25 * label, 100 + 50 * i, 30, 255]), 6);
    }
    await page.getByTestId('image-files').setInputFiles({ name: 'rgb.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) });
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    expect(await page.getByTestId('layer-c1').count(), 'the new model is analysed on the new images').toBe(1);
  });
});
