import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadFromFiles } from '../../src/core/model-io';
import type { PlanFile } from '../../src/ui/actions/plan-file';
import { ROOT, openWorkbench, saveDownloads, waitForStatus, waitForText, workerMemory, type Workbench } from './harness';
import { spriteTiles } from './image-files';
import { ANALYSED, ANALYSIS_TIMEOUT_MS, PRUNE_TIMEOUT_MS, PRUNED, readResultRow, waitForDownloadsReady } from './workbench-page';

const LOAD_TIMEOUT_MS = 60_000;
/** Hand-picked centers given to the first layer through an edited plan file. */
const HAND_CENTERS = [0, 1, 2];

async function exportPlan(bench: Workbench): Promise<PlanFile> {
  const files = await saveDownloads(bench.page, 1, () => bench.page.getByTestId('export-plan').click(), bench.downloadsDir);
  const path = files.get('plan.json');
  if (path === undefined) throw new Error(`export-plan saved ${[...files.keys()].join(', ')}, not plan.json`);
  return JSON.parse(readFileSync(path, 'utf8')) as PlanFile;
}

/** Opens model.json and its weights as the user's own model, so the session has to save its files. */
async function openShippedAsOwnModel(bench: Workbench): Promise<void> {
  const folder = resolve(ROOT, 'public/model');
  const status = bench.page.getByTestId('status-text');
  const before = await status.textContent();
  await bench.page.getByTestId('model-files').setInputFiles([join(folder, 'model.json'), join(folder, 'group1-shard1of1.bin')]);
  // Opening and the analysis after it each change the status line, which is back at "Analysed" when both are done.
  await status.filter({ hasNotText: before ?? '' }).waitFor({ timeout: LOAD_TIMEOUT_MS });
  await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
}

describe('plans, export and saved sessions', () => {
  let bench: Workbench;
  let imageCounts: string;
  let importedPlan: PlanFile;

  beforeAll(async () => {
    bench = await openWorkbench('?calibration=32&evaluation=32');
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    await openShippedAsOwnModel(bench);
    const tiles = spriteTiles(40);
    const entries: Record<string, Uint8Array> = {};
    tiles.forEach((tile, i) => (entries[`set/${tile.label}/${i}.png`] = new Uint8Array(tile.png)));
    await bench.page.getByTestId('image-files').setInputFiles({ name: 'set.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) });
    const counts = bench.page.getByTestId('image-counts');
    await counts.filter({ hasText: /^40 images from set\.zip/ }).waitFor({ timeout: LOAD_TIMEOUT_MS });
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    imageCounts = (await counts.textContent()) ?? '';
  });

  afterAll(async () => {
    await bench?.close();
  });

  it('imports a plan with the same removed filters', async () => {
    const { page } = bench;
    const original = await exportPlan(bench);
    const firstLayer = original.layers[0].name;
    expect(original.layers.some((layer) => layer.removed.length > 0), 'the default plan removes filters').toBe(true);

    const edited: PlanFile = { ...original, dpc: { ...original.dpc, [firstLayer]: { ...original.dpc[firstLayer], centers: HAND_CENTERS } } };
    await page.getByTestId('ratio-input').fill('0.5');
    await page.getByTestId('ratio-input').blur();
    const changed = await exportPlan(bench);
    expect(changed.layers, 'plan after changing the ratio').not.toEqual(original.layers);

    const file = join(bench.downloadsDir, 'edited-plan.json');
    writeFileSync(file, JSON.stringify(edited));
    await page.getByTestId('import-plan').setInputFiles(file);
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="ratio-input"]')?.value === '0.3', undefined, { timeout: 10_000 });
    importedPlan = await exportPlan(bench);
    expect(importedPlan.layers, 'removed filters after the import').toEqual(original.layers);
    expect(importedPlan.options, 'plan options after the import').toEqual(original.options);
    expect(importedPlan.dpc[firstLayer].centers, 'hand-picked centers after the import').toEqual(HAND_CENTERS);
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('rejects a plan made for another model', async () => {
    const { page } = bench;
    const before = await exportPlan(bench);
    const foreign = { ...before, model: { ...before.model, name: 'other', fingerprint: '00000000' }, layers: [{ name: before.layers[0].name, filters: 99, removed: [1] }] };
    const file = join(bench.downloadsDir, 'foreign-plan.json');
    writeFileSync(file, JSON.stringify(foreign));
    await page.getByTestId('import-plan').setInputFiles(file);
    const banner = page.getByRole('alert').filter({ hasText: 'foreign-plan.json was made for model "other"' });
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toContain(`its layer ${before.layers[0].name} has 99 filters, but the loaded model's has ${before.layers[0].filters}`);
    expect((await exportPlan(bench)).layers, 'plan after the rejected import').toEqual(before.layers);
  });

  it('exports one zip that loads back', async () => {
    const { page } = bench;
    await page.getByTestId('prune-button').click();
    await waitForStatus(page, PRUNED, PRUNE_TIMEOUT_MS, bench.errors);
    await waitForDownloadsReady(page);
    await page.evaluate(() => {
      const durations: number[] = [];
      new PerformanceObserver((list) => durations.push(...list.getEntries().map((entry) => entry.duration))).observe({ type: 'longtask' });
      (window as unknown as { longTasks: number[] }).longTasks = durations;
    });
    const files = await saveDownloads(page, 1, () => page.getByTestId('download-export').click(), bench.downloadsDir);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`main-thread long tasks while packing the export zip: ${JSON.stringify(longTasks.map(Math.round))} ms`);
    const path = files.get('peakprune-export.zip');
    if (path === undefined) throw new Error(`download-export saved ${[...files.keys()].join(', ')}, not peakprune-export.zip`);
    const zipped = unzipSync(readFileSync(path));
    const names = Object.keys(zipped).sort();
    expect(names, 'files in the zip').toEqual(expect.arrayContaining(['model/model.json', 'report.json', 'plan.json', 'charts/decision-graph.svg']));

    const modelJson = Buffer.from(zipped['model/model.json']).toString('utf8');
    const weightsName = (JSON.parse(modelJson) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0].paths[0];
    expect(names, 'weights file in the zip').toContain(`model/${weightsName}`);
    const plan = JSON.parse(Buffer.from(zipped['plan.json']).toString('utf8')) as PlanFile;
    expect(plan.layers, 'plan in the zip').toEqual(importedPlan.layers);
    expect(Buffer.from(zipped['charts/decision-graph.svg']).toString('utf8')).toMatch(/^<\?xml[^>]*>\n<svg/);

    await tf.setBackend('cpu');
    const tensorsBefore = tf.memory().numTensors;
    const model = await loadFromFiles(modelJson, new Map([[weightsName, zipped[`model/${weightsName}`]]]));
    try {
      for (const layer of plan.layers) {
        const kernel = model.getLayer(layer.name).getWeights()[0];
        expect(kernel.shape[3], `filters of ${layer.name} in the exported model`).toBe(layer.filters - layer.removed.length);
      }
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors, 'Node tensors after disposing the model').toBe(tensorsBefore);
  });

  it('restores the session after a reload', async () => {
    const { page, context } = bench;
    const top1Before = await readResultRow(page, 'result-top1');
    const modelBefore = await page.getByTestId('loaded-model').textContent();
    // The worker contains the original and the pruned model now, and must again after the reload.
    const tensorsBefore = (await workerMemory(page)).numTensors;
    await page.evaluate(() => window.peakprune!.flushSession());
    // The saved model's own files must be used, so the shipped model's address fails from now on.
    await context.route('**/model/model.json', (route) => route.abort());
    await context.route('**/model/group1-shard1of1.bin', (route) => route.abort());

    await page.reload();
    await waitForText(page.getByTestId('image-counts'), imageCounts, LOAD_TIMEOUT_MS, 'image counts after the reload');
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    await page.getByTestId('result-card').waitFor({ timeout: LOAD_TIMEOUT_MS });
    await waitForDownloadsReady(page);

    expect(await page.getByTestId('loaded-model').textContent(), 'model after the reload').toBe(modelBefore);
    const restored = await exportPlan(bench);
    expect(restored.layers, 'removed filters after the reload').toEqual(importedPlan.layers);
    expect(restored.dpc[restored.layers[0].name].centers, 'hand-picked centers after the reload').toEqual(HAND_CENTERS);
    expect((await readResultRow(page, 'result-top1')).afterText, 'pruned top-1 after the reload').toBe(top1Before.afterText);
    await page.waitForFunction((count) => window.peakprune!.memory().then((memory) => memory.numTensors === count), tensorsBefore, { timeout: 10_000 }).catch(() => undefined);
    expect((await workerMemory(page)).numTensors, 'worker tensors: original and pruned model again').toBe(tensorsBefore);
    // A change after the restore (such as remembered preprocessing) may already have been saved again.
    expect(await page.getByTestId('session-note').textContent(), 'session note').toMatch(/^(Session restored from this browser|Session saved at )/);
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('starts over with New session', async () => {
    const { page, context } = bench;
    await context.unrouteAll();
    const question = page.waitForEvent('dialog').then(async (dialog) => {
      expect(dialog.message(), 'New session asks first').toContain('Start a new session?');
      await dialog.accept();
    });
    await page.getByTestId('new-session').click();
    await question;
    await page.waitForEvent('load', { timeout: LOAD_TIMEOUT_MS });
    await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    expect(await page.getByTestId('image-counts').count(), 'no own images after New session').toBe(0);
    expect(await page.getByTestId('result-card').count(), 'no result after New session').toBe(0);
  });
});
