// Times the Euclidean filter distances inside headless Chromium in three ways: `layerDistances` on
// tfjs's WebGL backend, the same function on the cpu backend, and a plain float64 double loop.
// The layers are the shipped model's Conv2D layers and the 13 conv layers of a CIFAR VGG-16 with
// seeded random kernels. Run `npm run bench:browser`. It prints a table and writes
// out/bench-browser.json; BENCH_RUNS sets the timed runs per median (default 3).
//
// The timed code is bundled with Vite into a page of its own under a temporary folder, so the app
// and its worker stay out of the measurement. Chromium comes from the browser tests' harness,
// which opens the built app first (so dist/ must exist) before this script navigates away.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import type * as tfTypes from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import { openWorkbench, ROOT } from '../test/browser/harness';
import { serveBenchPage } from './bench/serve-page';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Filters per conv layer of a CIFAR VGG-16. Every kernel is 3 × 3 × c_in, with c_in = 3 for the first layer. */
const VGG16_FILTERS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];

/** Functions the bundled page exposes as `window.benchLib`. */
interface BenchLib {
  tf: typeof tfTypes;
  layerDistances: (kernel: tfTypes.Tensor4D, metric: 'euclidean') => Promise<Float64Array>;
  float64Distances: (kernel: Float32Array, shape: readonly number[]) => Float64Array;
}

/** Page-side state: the kernels under test and the float64 reference matrices, keyed by model/layer. */
interface BenchWindow {
  benchLib: BenchLib;
  benchKernels: Map<string, Float32Array>;
  benchReference: Map<string, Float64Array>;
}

interface LayerSpec {
  model: 'shipped' | 'vgg16';
  name: string;
  shape: [number, number, number, number];
  /** Kernel values of a shipped layer, or undefined for seeded uniform values made in the page. */
  values?: number[];
  seed: number;
}

interface Timing {
  /** Median of the timed runs, in ms. */
  medianMs: number;
  runsMs: number[];
  /** Largest |d − d_float64| over the matrix, which is 0 for the loop itself. */
  maxAbsDifference: number;
}

interface LayerFigures {
  model: string;
  layer: string;
  filters: number;
  weightsPerFilter: number;
  webgl: Timing;
  cpu: Timing;
  float64Loop: Timing;
}

const ENTRY = `
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import { layerDistances } from '${join(ROOT, 'src/core/distances.ts')}';
import { float64Distances } from '${join(ROOT, 'scripts/bench/analysis-steps.ts')}';
window.benchLib = { tf, layerDistances, float64Distances };
window.benchKernels = new Map();
window.benchReference = new Map();
`;

/** Reads the Conv2D kernels of public/model from model.json and its float32 weight files. */
function shippedKernels(): LayerSpec[] {
  const dir = join(ROOT, 'public/model');
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
    weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype?: string }[] }[];
  };
  const specs: LayerSpec[] = [];
  for (const group of json.weightsManifest) {
    const bytes = Buffer.concat(group.paths.map((path) => readFileSync(join(dir, path))));
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    let offset = 0;
    for (const weight of group.weights) {
      if ((weight.dtype ?? 'float32') !== 'float32') throw new Error(`Weight ${weight.name} is ${weight.dtype}; this script reads float32 weights only.`);
      const size = weight.shape.reduce((product, dim) => product * dim, 1);
      if (weight.shape.length === 4 && weight.name.endsWith('/kernel')) {
        const shape = weight.shape as [number, number, number, number];
        specs.push({ model: 'shipped', name: weight.name.replace(/\/kernel$/, ''), shape, values: Array.from(floats.subarray(offset, offset + size)), seed: 0 });
      }
      offset += size;
    }
  }
  return specs;
}

function vgg16Kernels(): LayerSpec[] {
  return VGG16_FILTERS.map((filters, i) => {
    const cin = i === 0 ? 3 : VGG16_FILTERS[i - 1];
    return { model: 'vgg16', name: `conv${i + 1}`, shape: [3, 3, cin, filters], seed: 1000 + i };
  });
}

/** Puts the layer's kernel into the page: the given values, or seeded uniform values in ±√(6 / fan_in). */
async function loadKernel(page: Page, spec: LayerSpec): Promise<void> {
  await page.evaluate((layer) => {
    const state = window as unknown as BenchWindow;
    const [kh, kw, cin, cout] = layer.shape;
    const size = kh * kw * cin * cout;
    let kernel: Float32Array;
    if (layer.values !== undefined) {
      kernel = Float32Array.from(layer.values);
    } else {
      const limit = Math.sqrt(6 / (kh * kw * cin));
      kernel = new Float32Array(size);
      let s = layer.seed >>> 0;
      for (let i = 0; i < size; i++) {
        // mulberry32
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        const uniform = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        kernel[i] = (2 * uniform - 1) * limit;
      }
    }
    state.benchKernels.set(layer.name, kernel);
  }, { ...spec, name: key(spec) });
}

function key(spec: LayerSpec): string {
  return `${spec.model}/${spec.name}`;
}

/** Times the float64 loop in the page and keeps its matrix as the reference for the backends. */
async function timeLoop(page: Page, name: string, shape: number[], runs: number): Promise<Timing> {
  return page.evaluate(({ name, shape, runs }) => {
    const state = window as unknown as BenchWindow;
    const kernel = state.benchKernels.get(name);
    if (kernel === undefined) throw new Error(`No kernel loaded for ${name}.`);
    state.benchReference.set(name, state.benchLib.float64Distances(kernel, shape));
    const runsMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      state.benchLib.float64Distances(kernel, shape);
      runsMs.push(performance.now() - started);
    }
    const sorted = [...runsMs].sort((a, b) => a - b);
    return { medianMs: sorted[Math.floor(sorted.length / 2)], runsMs, maxAbsDifference: 0 };
  }, { name, shape, runs });
}

/** Times `layerDistances` on `backend` in the page: one untimed run (shader compilation, kernel upload), then `runs` timed ones. */
async function timeBackend(page: Page, backend: 'webgl' | 'cpu', name: string, shape: number[], runs: number): Promise<Timing> {
  return page.evaluate(async ({ backend, name, shape, runs }) => {
    const state = window as unknown as BenchWindow;
    const { tf, layerDistances } = state.benchLib;
    const kernel = state.benchKernels.get(name);
    const reference = state.benchReference.get(name);
    if (kernel === undefined || reference === undefined) throw new Error(`No kernel or reference matrix for ${name}.`);
    if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) {
      throw new Error(`tfjs could not switch to the ${backend} backend (it runs on ${tf.getBackend()}).`);
    }
    const tensor = tf.tensor4d(kernel, shape as [number, number, number, number]);
    try {
      const first = await layerDistances(tensor, 'euclidean');
      let maxAbsDifference = 0;
      for (let i = 0; i < first.length; i++) maxAbsDifference = Math.max(maxAbsDifference, Math.abs(first[i] - reference[i]));
      const runsMs: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        await layerDistances(tensor, 'euclidean');
        runsMs.push(performance.now() - started);
      }
      const sorted = [...runsMs].sort((a, b) => a - b);
      return { medianMs: sorted[Math.floor(sorted.length / 2)], runsMs, maxAbsDifference };
    } finally {
      tensor.dispose();
    }
  }, { backend, name, shape, runs });
}

async function measureLayer(page: Page, spec: LayerSpec): Promise<LayerFigures> {
  const name = key(spec);
  await loadKernel(page, spec);
  const float64Loop = await timeLoop(page, name, spec.shape, RUNS);
  const webgl = await timeBackend(page, 'webgl', name, spec.shape, RUNS);
  const cpu = await timeBackend(page, 'cpu', name, spec.shape, RUNS);
  await page.evaluate((layer) => {
    const state = window as unknown as BenchWindow;
    state.benchKernels.delete(layer);
    state.benchReference.delete(layer);
  }, name);
  const [kh, kw, cin, filters] = spec.shape;
  return { model: spec.model, layer: spec.name, filters, weightsPerFilter: kh * kw * cin, webgl, cpu, float64Loop };
}

function totals(rows: LayerFigures[]): { webglMs: number; cpuMs: number; float64LoopMs: number } {
  const sum = (pick: (row: LayerFigures) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return { webglMs: sum((r) => r.webgl.medianMs), cpuMs: sum((r) => r.cpu.medianMs), float64LoopMs: sum((r) => r.float64Loop.medianMs) };
}

function printTable(rows: LayerFigures[]): void {
  const line = (label: string, webglMs: number, cpuMs: number, loopMs: number, diff: string) => ({
    layer: label,
    'webgl ms': webglMs.toFixed(1),
    'cpu ms': cpuMs.toFixed(1),
    'float64 loop ms': loopMs.toFixed(1),
    'cpu ÷ webgl': (cpuMs / webglMs).toFixed(2),
    'loop ÷ webgl': (loopMs / webglMs).toFixed(2),
    'max |d − d64| webgl/cpu': diff,
  });
  const table = rows.map((r) =>
    line(`${r.model} ${r.layer} (${r.filters} × ${r.weightsPerFilter})`, r.webgl.medianMs, r.cpu.medianMs, r.float64Loop.medianMs, `${r.webgl.maxAbsDifference.toExponential(1)} / ${r.cpu.maxAbsDifference.toExponential(1)}`),
  );
  for (const model of ['shipped', 'vgg16']) {
    const sum = totals(rows.filter((r) => r.model === model));
    table.push(line(`${model} total`, sum.webglMs, sum.cpuMs, sum.float64LoopMs, ''));
  }
  console.table(table);
}

async function main(): Promise<void> {
  const html = '<!doctype html><meta charset="utf-8"><title>distances</title><link rel="icon" href="data:,"><script type="module" src="./entry.js"></script>\n';
  const server = await serveBenchPage({ 'entry.js': ENTRY, 'index.html': html });
  // The harness launches Chromium with the WebGL flags; the app it opens is left at once.
  const bench = await openWorkbench('?calibration=1&evaluation=1');
  try {
    const { page } = bench;
    await page.goto(server.url);
    await page.waitForFunction(() => 'benchLib' in window, undefined, { timeout: 30_000 });
    const rows: LayerFigures[] = [];
    for (const spec of [...shippedKernels(), ...vgg16Kernels()]) {
      const figures = await measureLayer(page, spec);
      console.log(`${spec.model} ${spec.name}: webgl ${figures.webgl.medianMs.toFixed(1)} ms, cpu ${figures.cpu.medianMs.toFixed(1)} ms, float64 loop ${figures.float64Loop.medianMs.toFixed(1)} ms`);
      rows.push(figures);
    }
    printTable(rows);
    const vgg = totals(rows.filter((r) => r.model === 'vgg16'));
    console.log(`VGG-16, all 13 layers: cpu ÷ webgl = ${(vgg.cpuMs / vgg.webglMs).toFixed(2)}, float64 loop ÷ webgl = ${(vgg.float64LoopMs / vgg.webglMs).toFixed(2)}`);
    const figures = {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      userAgent: await page.evaluate(() => navigator.userAgent),
      runsPerMedian: RUNS,
      totals: { shipped: totals(rows.filter((r) => r.model === 'shipped')), vgg16: vgg },
      layers: rows,
      errors: bench.errors,
    };
    mkdirSync(join(ROOT, 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'out/bench-browser.json'), JSON.stringify(figures, null, 2));
  } finally {
    await bench.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
