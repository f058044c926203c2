// Benchmark suite of the PeakPrune core in Node on the tfjs cpu backend. Run `npm run bench`;
// `npm run bench:webgl` runs the same steps in headless Chromium on WebGL.
// Prints one table set per model and writes every figure to out/bench.json. Not part of the tests.
//
// Environment variables:
//   BENCH_MODELS              comma-separated models to run: shipped, vgg16 (default both)
//   BENCH_APOZ_IMAGES         APoZ images for the shipped model, 1–1000 (default 1000)
//   BENCH_VGG16_APOZ_IMAGES   APoZ images for VGG-16 (default 32)
//   BENCH_RUNS                timed inference runs per model and batch size (default 15 shipped, 5 VGG-16)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

import * as tf from '@tensorflow/tfjs';

import { loadShipped } from './models';
import { printModel, type ModelFigures } from './report';
import { positiveInteger, selectedModels } from './env';
import { runModel, type BenchModelName, type ModelSettings } from './suite';
import { buildVgg16 } from './vgg16';

function settingsFor(name: BenchModelName): ModelSettings {
  // VGG-16 needs about 0.3 G multiply-adds per image, so on the pure-JavaScript cpu backend it
  // gets fewer APoZ images, one timed run per layer for distances, only batch 1 for latency and
  // fewer timed inference runs.
  if (name === 'vgg16') {
    const runs = positiveInteger('BENCH_RUNS', 5);
    return { apozImages: positiveInteger('BENCH_VGG16_APOZ_IMAGES', 32), distanceRuns: 1, batchSizes: [1], runs };
  }
  const runs = positiveInteger('BENCH_RUNS', 15);
  return { apozImages: positiveInteger('BENCH_APOZ_IMAGES', 1000), distanceRuns: 5, batchSizes: [1, 32], runs };
}

async function runNamed(name: BenchModelName): Promise<ModelFigures> {
  const settings = settingsFor(name);
  const bench = name === 'shipped' ? await loadShipped(settings.apozImages) : buildVgg16(settings.apozImages);
  return runModel(bench, settings);
}

async function main(): Promise<void> {
  const models = selectedModels();
  await tf.setBackend('cpu');
  await tf.ready();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  console.log(`tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, Node ${process.version}, ${machine}`);

  const results: ModelFigures[] = [];
  for (const name of models) {
    const figures = await runNamed(name);
    printModel(figures);
    results.push(figures);
  }
  const leaked = tf.memory().numTensors;
  if (leaked !== 0) console.warn(`${leaked} tensors were still allocated at the end of the run.`);

  const report = { date: new Date().toISOString(), machine, node: process.version, tfjs: tf.version.tfjs, backend: tf.getBackend(), models: results };
  mkdirSync('out', { recursive: true });
  writeFileSync('out/bench.json', JSON.stringify(report, null, 2));
  console.log('\nFigures written to out/bench.json');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
