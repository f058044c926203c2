// The workbench end to end on the built app: load, analysis, decision graph, prune at 50 %,
// downloads checked in Node, and tensor counts across jobs. One browser session runs the
// tests in order, and each test starts from the state the previous one left.
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadLayersModelFromFiles } from '../../src/cli/load-model';
import { loadFromFiles } from '../../src/core/model-io';
import type { PruneReport } from '../../src/core/report';
import { describePage, openWorkbench, saveDownloads, waitForStatus, waitForText, workerMemory, type Workbench, type WorkerMemory } from './harness';
import { prunedWeightsMismatches, summarizePredictions } from './model-checks';
import { MODEL_JSON_PATH, readShippedImages, readShippedModel } from './shipped';
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
} from './workbench-page';

/** Images per set, kept few because WebGL runs on SwiftShader, a software GPU. */
const IMAGES = 64;
const RATIO = 0.5;
const shipped = readShippedModel();
const totalFilters = shipped.convs.reduce((sum, conv) => sum + conv.filters, 0);

let bench: Workbench;
let page: Page;
/** Set by the prune test, read by the tests after it. */
let firstPrune: { memory: WorkerMemory; removedByLayer: Map<string, number> } | undefined;

beforeAll(async () => {
  bench = await openWorkbench(`?calibration=${IMAGES}&evaluation=${IMAGES}`);
  page = bench.page;
  await waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
});

afterAll(async () => {
  await bench?.close();
});

async function expectCleanPage(step: string): Promise<void> {
  expect(bench.errors, `console or page errors during ${step}`).toEqual([]);
  expect(await page.getByTestId('error-banner').count(), `error banner after ${step}; ${await describePage(page)}`).toBe(0);
}

/** Clicks `testId`, which starts a job, and waits until the job has ended with a status matching `done`. */
async function runJob(testId: string, done: RegExp, timeoutMs: number): Promise<string> {
  await page.getByTestId(testId).click();
  try {
    await page.getByTestId('cancel-button').waitFor({ state: 'detached', timeout: timeoutMs });
  } catch {
    throw new Error(`The job started by ${testId} did not end within ${timeoutMs} ms; ${await describePage(page, bench.errors)}`);
  }
  return waitForStatus(page, done, 1_000, bench.errors);
}

async function selectLayer(name: string): Promise<void> {
  await page.getByTestId(`layer-${name}`).click();
  await waitForText(page.locator('#detail-heading'), name, 5_000, `detail heading after selecting ${name}`);
}

function point(filter: number) {
  return page.locator(`circle.dg-point[data-filter="${filter}"]`);
}

describe('workbench', () => {
  it('loads with WebGL in a worker', async () => {
    expect(await page.getByTestId('backend').textContent(), 'backend badge').toBe('WebGL in a worker');

    const model = (await page.getByTestId('loaded-model').textContent()) ?? '';
    expect(model, 'loaded-model names the file').toContain('model.json');
    expect(model, 'loaded-model names the model').toContain(`(${shipped.name})`);
    const images = (await page.getByTestId('loaded-images').textContent()) ?? '';
    expect(images, 'loaded-images names the calibration sprite').toContain(`${IMAGES} calibration (calibration.png`);
    expect(images, 'loaded-images names the evaluation sprite').toContain(`${IMAGES} evaluation (evaluation.png`);

    const status = (await page.getByTestId('status-text').textContent()) ?? '';
    expect(status, 'status line after the analysis').toMatch(new RegExp(`^Analysed ${shipped.convs.length} layers in `));
    for (const conv of shipped.convs) {
      expect((await readLayerRow(page, conv.name)).filters, `filters in the row of ${conv.name}`).toBe(conv.filters);
    }

    // The analysis keeps its results in typed arrays, so the worker contains only the model's weights.
    const memory = await workerMemory(page);
    expect(memory.numTensors, 'worker tensors after the analysis').toBe(shipped.weightTensors);
    expect(memory.numBytes, 'worker tensor bytes after the analysis').toBe(4 * shipped.params);
    await expectCleanPage('loading and analysis');
  });

  it('draws one point and one tile per filter', async () => {
    for (const conv of shipped.convs) {
      await selectLayer(conv.name);
      const row = await readLayerRow(page, conv.name);
      const all = Array.from({ length: row.filters }, (_, i) => String(i));

      const points = page.locator('[data-testid="decision-graph"] circle.dg-point');
      const pointFilters = await points.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-filter')));
      expect([...pointFilters].sort((a, b) => Number(a) - Number(b)), `decision-graph points of ${conv.name} ("${row.text}")`).toEqual(all);
      const tiles = page.locator('[data-testid="kernel-panel"] .kg-tile[data-filter]');
      const tileFilters = await tiles.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-filter')));
      expect([...tileFilters].sort((a, b) => Number(a) - Number(b)), `kernel tiles of ${conv.name} ("${row.text}")`).toEqual(all);

      const clusters = await readClusterCount(page);
      expect(clusters, `cluster-count of ${conv.name} against its row "${row.text}"`).toBe(row.clusters);
      expect(await page.locator('[data-testid="decision-graph"] circle.dg-point[data-center="true"]').count(), `center points of ${conv.name}`).toBe(clusters);
      const labels = await points.evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-cluster'))));
      expect(labels.every((label) => label >= 0 && label < clusters), `cluster ids of ${conv.name} in [0, ${clusters}): ${labels.join(',')}`).toBe(true);

      expect(await page.locator('[data-testid="decision-graph"] circle.dg-point[data-removed="true"]').count(), `removed points of ${conv.name}`).toBe(row.removed);
      expect(await page.locator('[data-testid="kernel-panel"] .kg-tile[data-filter][data-removed="true"]').count(), `removed tiles of ${conv.name}`).toBe(row.removed);
    }
    await expectCleanPage('browsing the layers');
  });

  it('toggles a center by clicking its point', async () => {
    const widest = shipped.convs.reduce((best, conv) => (conv.filters > best.filters ? conv : best));
    await selectLayer(widest.name);
    const before = await readClusterCount(page);
    const clusterCount = page.getByTestId('cluster-count');

    const member = Number(await page.locator('circle.dg-point[data-center="false"]').first().getAttribute('data-filter'));
    // Points can overlap, so the click goes to the circle itself rather than to a screen position.
    await point(member).dispatchEvent('click');
    await waitForText(clusterCount, String(before + 1), 10_000, `cluster-count after making filter ${member} of ${widest.name} a center`);
    expect(await point(member).getAttribute('data-center'), `filter ${member} after the first click`).toBe('true');
    expect((await readLayerRow(page, widest.name)).clusters, 'clusters in the layer row').toBe(before + 1);
    expect(await page.locator('.cluster-count').textContent(), 'cluster controls after a hand pick').toContain('centers picked by hand');

    await point(member).dispatchEvent('click');
    await waitForText(clusterCount, String(before), 10_000, `cluster-count after clicking filter ${member} of ${widest.name} again`);
    expect(await point(member).getAttribute('data-center'), `filter ${member} after the second click`).toBe('false');

    // Cluster 0's center is the densest filter, which always stays a center.
    const densest = Number(await page.locator('circle.dg-point[data-center="true"][data-cluster="0"]').getAttribute('data-filter'));
    await point(densest).dispatchEvent('click');
    await waitForText(page.getByTestId('center-notice'), `Filter ${densest} is the densest point of this layer, so it always stays a center.`, 5_000, 'center notice');
    expect(await readClusterCount(page), 'cluster-count after clicking the densest point').toBe(before);

    await page.getByTestId('auto-centers').click();
    await page.locator('.cluster-count').filter({ hasText: 'centers chosen automatically' }).waitFor({ timeout: 10_000 });
    expect(await readClusterCount(page), 'cluster-count after choosing centers automatically').toBe(before);
    await expectCleanPage('toggling centers');
  });

  it('prunes at 50 % and shows the result', async () => {
    const removed = expectedRemovals(shipped.convs.map((conv) => conv.filters), RATIO);
    await setGlobalRatio(page, RATIO, removed, totalFilters);
    const removedByLayer = new Map<string, number>();
    for (const conv of shipped.convs) removedByLayer.set(conv.name, (await readLayerRow(page, conv.name)).removed);

    const status = await runJob('prune-button', PRUNED, PRUNE_TIMEOUT_MS);
    expect(status, 'status line after pruning').toContain(`Pruned ${removed} of ${totalFilters} filters`);
    await waitForDownloadsReady(page);

    const params = await readResultRow(page, 'result-params');
    // The card prints parameters with one decimal in thousands, so it is within 50 of the exact count.
    expect(Math.abs(params.before - shipped.params), `before-parameters "${params.beforeText}" against ${shipped.params}`).toBeLessThanOrEqual(50);
    expect(params.after, `after-parameters "${params.afterText}" against before "${params.beforeText}"`).toBeLessThan(params.before);
    const flops = await readResultRow(page, 'result-flops');
    expect(flops.after, `after-FLOPs "${flops.afterText}" against before "${flops.beforeText}"`).toBeLessThan(flops.before);
    const size = await readResultRow(page, 'result-size');
    expect(size.after, `after-size "${size.afterText}" against before "${size.beforeText}"`).toBeLessThan(size.before);
    const top1 = await readResultRow(page, 'result-top1');
    for (const [label, text, value] of [['before', top1.beforeText, top1.before], ['after', top1.afterText, top1.after]] as const) {
      expect(text, `top-1 ${label}`).toMatch(/^\d+\.\d %$/);
      expect(value, `top-1 ${label} "${text}"`).toBeGreaterThanOrEqual(0);
      expect(value, `top-1 ${label} "${text}"`).toBeLessThanOrEqual(1);
    }

    // The worker now contains the original and the pruned model, which has the same layers.
    const memory = await workerMemory(page);
    expect(memory.numTensors, 'worker tensors after pruning').toBe(2 * shipped.weightTensors);
    firstPrune = { memory, removedByLayer };
    await expectCleanPage('pruning');
  });

  it('downloads a smaller model and its report', async () => {
    if (firstPrune === undefined) throw new Error('This test needs the result of the prune test before it.');
    const modelFiles = await saveDownloads(page, 2, () => page.getByTestId('download-model').click(), bench.downloadsDir);
    const reportFiles = await saveDownloads(page, 1, () => page.getByTestId('download-report').click(), bench.downloadsDir);
    const zipFiles = await saveDownloads(page, 1, () => page.getByTestId('download-zip').click(), bench.downloadsDir);

    const modelJsonPath = modelFiles.get('model.json');
    if (modelJsonPath === undefined) throw new Error(`download-model saved ${[...modelFiles.keys()].join(', ')}, not model.json`);
    const modelJson = readFileSync(modelJsonPath, 'utf8');
    const weightsName = (JSON.parse(modelJson) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0].paths[0];
    const weightsPath = modelFiles.get(weightsName);
    if (weightsPath === undefined) throw new Error(`model.json names ${weightsName}, but download-model saved ${[...modelFiles.keys()].join(', ')}`);
    const weights = readFileSync(weightsPath);

    const zipPath = zipFiles.get('model.zip');
    if (zipPath === undefined) throw new Error(`download-zip saved ${[...zipFiles.keys()].join(', ')}, not model.zip`);
    const zipped = unzipSync(readFileSync(zipPath));
    expect(Object.keys(zipped).sort(), 'files in model.zip').toEqual(['model.json', weightsName].sort());
    expect(Buffer.from(zipped['model.json']).toString('utf8'), 'model.json in the zip').toBe(modelJson);
    expect(Buffer.from(zipped[weightsName]).equals(weights), `${weightsName} in the zip equals the separate download`).toBe(true);

    const reportPath = reportFiles.get('report.json');
    if (reportPath === undefined) throw new Error(`download-report saved ${[...reportFiles.keys()].join(', ')}, not report.json`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as PruneReport;
    checkReport(report, firstPrune.removedByLayer);

    await tf.setBackend('cpu');
    const tensorsBefore = tf.memory().numTensors;
    const pruned = await loadFromFiles(modelJson, new Map([[weightsName, weights]]));
    const original = await loadLayersModelFromFiles(MODEL_JSON_PATH);
    try {
      await checkPrunedModel(original, pruned, report);
    } finally {
      pruned.dispose();
      original.dispose();
    }
    expect(tf.memory().numTensors, 'Node tensors after disposing both models').toBe(tensorsBefore);

    const resultTop1 = await readResultRow(page, 'result-top1');
    expect(Math.abs(resultTop1.after - (report.after.top1 ?? Number.NaN)), `result card top-1 "${resultTop1.afterText}" against report ${report.after.top1}`).toBeLessThanOrEqual(0.0005);
    await expectCleanPage('downloading');
  });

  it('leaks no tensors across prunes', async () => {
    if (firstPrune === undefined) throw new Error('This test needs the result of the prune test before it.');
    await runJob('prune-button', PRUNED, PRUNE_TIMEOUT_MS);
    await waitForDownloadsReady(page);
    expect(await workerMemory(page), 'worker memory after a second prune, against the first').toEqual(firstPrune.memory);
    await expectCleanPage('the second prune');
  });
});

function checkReport(report: PruneReport, removedByLayer: ReadonlyMap<string, number>): void {
  for (const side of ['before', 'after'] as const) {
    for (const field of ['params', 'flops', 'top1'] as const) {
      expect(typeof report[side][field], `report.${side}.${field}`).toBe('number');
    }
  }
  expect(report.before.params, 'report.before.params against the shipped model').toBe(shipped.params);
  expect(report.after.params, 'report.after.params').toBeLessThan(report.before.params);
  expect(report.after.flops, 'report.after.flops').toBeLessThan(report.before.flops);
  expect(report.model, 'report.model').toBe(shipped.name);
  expect(report.plan.ratio, 'report.plan.ratio').toBe(RATIO);
  expect(report.calibrationImages, 'report.calibrationImages').toBe(IMAGES);
  expect(report.evaluationImages, 'report.evaluationImages').toBe(IMAGES);

  expect(report.layers.map((layer) => layer.name), 'report layers').toEqual(shipped.convs.map((conv) => conv.name));
  for (const layer of report.layers) {
    const ascending = layer.removed.every((filter, i) => Number.isInteger(filter) && filter >= 0 && filter < layer.filters && (i === 0 || filter > layer.removed[i - 1]));
    expect(ascending, `${layer.name} removed indices ${layer.removed.join(',')} are ascending, distinct and in [0, ${layer.filters})`).toBe(true);
    expect(layer.removed.length, `${layer.name} removals in report.json against the page's layer row`).toBe(removedByLayer.get(layer.name));
    expect(layer.kept, `${layer.name} kept`).toBe(layer.filters - layer.removed.length);
  }
}

/**
 * Checks the downloaded model against the original and the report: fewer parameters, every
 * weight sliced to the report's kept filters, and softmax outputs with the report's top-1.
 */
async function checkPrunedModel(original: tf.LayersModel, pruned: tf.LayersModel, report: PruneReport): Promise<void> {
  expect(original.countParams(), 'parameters of the shipped model').toBe(report.before.params);
  expect(pruned.countParams(), 'parameters of the downloaded model').toBe(report.after.params);
  expect(pruned.countParams(), 'downloaded model against the shipped one').toBeLessThan(original.countParams());

  for (const layer of report.layers) {
    const filters = (pruned.getLayer(layer.name).getWeights()[0].shape as number[])[3];
    expect(filters, `filters of ${layer.name} in the downloaded model against report.json's kept count`).toBe(layer.kept);
  }
  const removedByConv = new Map(report.layers.map((layer) => [layer.name, layer.removed]));
  expect(report.recalibratedLayers, 'BatchNormalization layers re-estimated by default').toEqual(['bn1', 'bn2', 'bn3', 'bn4', 'bn5', 'bn6']);
  const recalibrated = new Set(report.recalibratedLayers);
  expect(
    prunedWeightsMismatches(original, pruned, removedByConv, recalibrated),
    'downloaded weights against the shipped ones sliced by report.json',
  ).toEqual([]);

  const images = readShippedImages('evaluation', IMAGES);
  const tolerance = 1 / IMAGES + 1e-9;
  for (const [label, model, top1] of [['downloaded', pruned, report.after.top1], ['shipped', original, report.before.top1]] as const) {
    const summary = summarizePredictions(model, images);
    expect(summary.nonFinite, `${label} model outputs NaN or infinity`).toBe(false);
    expect(summary.maxSumError, `${label} model: largest |Σp − 1|`).toBeLessThan(1e-4);
    expect(summary.minProbability, `${label} model: smallest probability`).toBeGreaterThanOrEqual(0);
    expect(summary.maxProbability, `${label} model: largest probability`).toBeLessThanOrEqual(1 + 1e-6);
    // WebGL and the cpu backend round differently, so one near-tie image may flip.
    expect(Math.abs(summary.top1 - (top1 ?? Number.NaN)), `${label} model: top-1 ${summary.top1} on the cpu backend against ${top1} in report.json`).toBeLessThanOrEqual(tolerance);
  }
}
