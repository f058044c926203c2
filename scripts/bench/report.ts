// Console tables of one model's figures.
import type { ApozFigures, DistanceFigures } from './analysis-steps';
import type { InferenceFigures, RebuildFigures } from './pruning-steps';

export interface ModelFigures {
  model: string;
  /** tfjs backend the steps ran on: cpu in Node, webgl in Chromium. */
  backend: string;
  params: number;
  flops: number;
  /** Wall-clock time of the whole model's part of the run, in seconds. */
  totalSeconds: number;
  distanceRuns: number;
  distances: DistanceFigures[];
  apoz: ApozFigures;
  rebuild: RebuildFigures;
  inference: InferenceFigures[];
  inferenceRuns: number;
  /** WebGL only: bytes of all textures allocated after each step, a running high-water mark. */
  gpuBytesAllocatedAfter: Record<string, number>;
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 0);
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(2);
const kib = (bytes: number): string => (bytes / 1024).toFixed(1);
/** A ratio as "1.23×"; a ratio with a zero time in it (below the timer's resolution) prints as n/a. */
const times = (value: number): string => (Number.isFinite(value) && value > 0 ? `${value.toFixed(2)}×` : 'n/a');
const runsText = (runs: number): string => (runs === 1 ? 'one timed run' : `median of ${runs} runs`);

function printDistances(figures: ModelFigures): void {
  console.log(`\n1. Filter distances (Euclidean) and DPC per prunable conv layer; ${runsText(figures.distanceRuns)} after one untimed run`);
  const rows = figures.distances.map((d) => ({
    layer: d.layer,
    'filters × weights': `${d.filters} × ${d.weightsPerFilter}`,
    [`tfjs ${figures.backend} (ms)`]: ms(d.tfjsMs),
    'float64 loop (ms)': ms(d.float64LoopMs),
    'tfjs / loop': times(d.ratio),
    'max |Δd|': d.maxAbsDifference.toExponential(1),
    'DPC (ms)': ms(d.dpcMs),
    'tfjs peak (MiB)': mib(d.tfjsPeakBytes),
  }));
  const sum = (pick: (d: DistanceFigures) => number): number => figures.distances.reduce((total, d) => total + pick(d), 0);
  const tfjsTotal = sum((d) => d.tfjsMs);
  const loopTotal = sum((d) => d.float64LoopMs);
  rows.push({
    layer: 'all layers',
    'filters × weights': '',
    [`tfjs ${figures.backend} (ms)`]: ms(tfjsTotal),
    'float64 loop (ms)': ms(loopTotal),
    'tfjs / loop': times(tfjsTotal / loopTotal),
    'max |Δd|': '',
    'DPC (ms)': ms(sum((d) => d.dpcMs)),
    'tfjs peak (MiB)': '',
  });
  console.table(rows);
}

function printSteps(figures: ModelFigures): void {
  const { apoz, rebuild } = figures;
  console.log(`\n2.–3. APoZ over N = ${apoz.images} images (batch ${apoz.batchSize}); rebuild and export at ${rebuild.ratio * 100} % (L1)`);
  console.table({
    'APoZ (measureApoz)': { ms: ms(apoz.apozMs), 'peak extra MiB': mib(apoz.apozPeakBytes), 'read back KiB': kib(apoz.apozReadBackBytes) },
    'plain model.predict': { ms: ms(apoz.predictMs), 'peak extra MiB': mib(apoz.predictPeakBytes), 'read back KiB': kib(apoz.predictReadBackBytes) },
    'APoZ / predict': { ms: times(apoz.ratio), 'peak extra MiB': '', 'read back KiB': '' },
    rebuildPruned: { ms: ms(rebuild.rebuildMs), 'peak extra MiB': mib(rebuild.rebuildPeakBytes), 'read back KiB': '' },
    'saveToArtifacts + artifactsToFiles': { ms: ms(rebuild.exportMs), 'peak extra MiB': mib(rebuild.exportPeakBytes), 'read back KiB': '' },
    loadFromFiles: { ms: ms(rebuild.reloadMs), 'peak extra MiB': mib(rebuild.reloadPeakBytes), 'read back KiB': '' },
  });
}

function printInference(figures: ModelFigures): void {
  console.log(`\n4. Inference, L1 pruning; ${runsText(figures.inferenceRuns)} after one warm-up`);
  console.table(
    figures.inference.map((entry) => {
      const row: Record<string, string> = {
        pruned: `${entry.ratio * 100} %`,
        params: entry.params.toLocaleString('en-US'),
        'FLOPs ratio': entry.flopsRatio.toFixed(3),
        'FLOPs speed-up': times(1 / entry.flopsRatio),
      };
      for (const [size, value] of Object.entries(entry.medianMs)) {
        row[`batch ${size} (ms)`] = ms(value);
        row[`batch ${size} speed-up`] = times(entry.speedUp[size]);
      }
      row['peak extra MiB'] = mib(entry.predictPeakBytes);
      return row;
    }),
  );
}

function printGpu(figures: ModelFigures): void {
  const steps = Object.entries(figures.gpuBytesAllocatedAfter);
  if (steps.length === 0) return;
  console.log('\n5. GPU textures allocated by tfjs after each step (a running high-water mark, MiB)');
  console.table(Object.fromEntries(steps.map(([step, bytes]) => [step, { MiB: mib(bytes) }])));
}

/** Prints the tables of one model. */
export function printModel(figures: ModelFigures): void {
  const mflops = (figures.flops / 1e6).toFixed(1);
  console.log(`\n=== ${figures.model}: ${figures.params.toLocaleString('en-US')} parameters, ${mflops} M multiply-adds per image ===`);
  printDistances(figures);
  printSteps(figures);
  printInference(figures);
  printGpu(figures);
  console.log(`(${figures.model} took ${figures.totalSeconds.toFixed(0)} s)`);
}
