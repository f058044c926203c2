// `peakprune prune`: analyse, plan, rebuild, evaluate before and after, and write the smaller
// model with a JSON report.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { parseChoiceOption, parseCommandArgs, parseNumberOption, parseRecalibrationImages } from '../args';
import { loadLayersModelFromFiles } from '../load-model';
import { analyzeModel } from '../../core/analyze';
import { recalibrateBatchNorm, shouldRecalibrate } from '../../core/batchnorm';
import { PRUNE_METHODS } from '../../core/criteria';
import { PeakPruneError } from '../../core/errors';
import { modelMetrics, evaluateTop1 } from '../../core/metrics';
import { artifactsToFiles, saveToArtifacts } from '../../core/model-io';
import { planPruning, toRemovalMap } from '../../core/plan';
import { rebuildPruned } from '../../core/rebuild';
import { prunableLayers, summarizeModel } from '../../core/topology';
import { buildReport, type ModelFigures, type PruneReport } from '../../core/report';
import { DEFAULT_DPC_OPTIONS, DEFAULT_RECALIBRATION_IMAGES, type DpcOptions, type PruneMethod, type SampleSet } from '../../core/types';
import { DEFAULT_MODEL, displayPath, ProgressLine, resolvePath, useCpuBackend, type CliIO } from './io';
import { formatMethodHelp } from './methods';
import { loadPruneImages, modelImageFormat, type ImageOptions } from './prune-inputs';
import { formatSummary } from './summary';
import { PRUNING_OPTIONS } from './pruning-options';

export const PRUNE_HELP = `Usage: peakprune prune --ratio R --out DIR [options]

Clusters the filters of every prunable convolution by density peak clustering, ranks them by
APoZ on calibration images, removes the chosen filters, measures top-1 accuracy before and
after on evaluation images, and writes DIR/model.json, DIR/model.weights.bin and
DIR/report.json. A summary goes to stdout; progress goes to stderr when it is a terminal.

Options:
  --model PATH                TensorFlow.js LayersModel: model.json, a folder or .zip holding
                              it, or a Keras .h5 or .keras file (default: the shipped
                              public/model/model.json)
  --images DIR                ImageFolder: one subfolder of PNG or JPEG images per class, class
                              index = subfolder name in sorted order. Images are converted to the
                              model's channels (RGB to gray by luma 0.299 R + 0.587 G + 0.114 B),
                              resized bilinearly to its input size and divided by 255, then split
                              per class into calibration and evaluation images (default: the
                              shipped 1,000 training images for calibration, 1,000 test images
                              for evaluation)
  --method NAME               filter-selection method (default: dpc-apoz); each removes
${formatMethodHelp()}
  --ratio R                   fraction of each layer's filters to remove, 0 <= R < 1 (required)
  --out DIR                   output folder, created if missing; files in it are replaced (required)
  --min-channels N            filters every pruned layer keeps at least (default: 1)
  --percentile P              DPC cutoff d_c as the P-th percentile of pairwise filter
                              distances, 0 < P <= 100 (default: 2)
  --kernel gaussian|cutoff    DPC density kernel (default: gaussian)
  --bn-images N               calibration images used to re-estimate BatchNormalization
                              statistics after pruning, no training; 0 turns it off (default: 500)
  --clusters K                DPC cluster count per layer: the K filters of largest γ become
                              centers (default: the filters whose γ stands out)
  --calibration-fraction F    share of each class of --images used for calibration, the rest
                              for evaluation, 0 < F < 1 (default: 0.5)
  --seed S                    integer seed of the split, of --limit and of --method random
                              (default: 0)
  --batch-size B              images per forward pass (default: 32)
  --limit N                   use at most N calibration and N evaluation images, picked
                              class-balanced with the seed
  --verbose                   print the stack trace of an unexpected error
  -h, --help                  show this help
`;

const PRUNE_OPTIONS = {
  ...PRUNING_OPTIONS,
  method: { type: 'string' },
  ratio: { type: 'string' },
} as const;

type PruneValues = ReturnType<typeof parseCommandArgs<typeof PRUNE_OPTIONS>>;

/** Validated options of one prune run; paths are absolute. */
export interface PruneOptions extends ImageOptions {
  modelFile: string;
  outDir: string;
  method: PruneMethod;
  ratio: number;
  minChannels: number;
  recalibrationImages: number;
  dpc: DpcOptions;
  batchSize: number;
}

/** Names of the files written to the output folder. */
export const OUTPUT_FILES = { model: 'model.json', report: 'report.json' } as const;

/** Runs `peakprune prune`; `argv` contains the arguments after the command name. */
export async function runPrune(argv: string[], io: CliIO): Promise<void> {
  const values = parseCommandArgs('prune', argv, PRUNE_OPTIONS);
  if (values.help) {
    io.stdout(PRUNE_HELP);
    return;
  }
  const options = readPruneOptions(values, io);
  await checkOutputFolder(options.outDir);
  const started = Date.now();
  await useCpuBackend();

  const model = await loadLayersModelFromFiles(options.modelFile);
  try {
    const { report, writtenFiles } = await pruneModel(model, options, io);
    const seconds = (Date.now() - started) / 1000;
    io.stdout(formatSummary(report, displayPath(io, options.outDir), writtenFiles, seconds));
  } finally {
    model.dispose();
  }
}

/** Fails before any work when --out names something that exists but is not a folder. */
export async function checkOutputFolder(outDir: string): Promise<void> {
  const existing = await stat(outDir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new PeakPruneError('invalid-options', `Option --out names ${outDir}, which is a file, not a folder; choose a folder path.`);
  }
}

/** Checks every option before any file is read. Throws `invalid-options` naming the option. */
export function readPruneOptions(values: PruneValues, io: CliIO): PruneOptions {
  for (const required of ['ratio', 'out'] as const) {
    if (values[required] === undefined) {
      throw new PeakPruneError('invalid-options', `Option --${required} is required; run "peakprune prune --help" for the options.`);
    }
  }
  const modelFile = values.model === undefined ? DEFAULT_MODEL : resolvePath(io, values.model);
  const outDir = resolvePath(io, values.out!);
  if (outDir === path.dirname(modelFile)) {
    throw new PeakPruneError(
      'invalid-options',
      `Option --out ${values.out} is the folder of the input model, whose files would be overwritten; choose another folder.`,
    );
  }
  return {
    modelFile,
    imagesDir: values.images === undefined ? undefined : resolvePath(io, values.images),
    outDir,
    method: parseChoiceOption<PruneMethod>('method', values.method, 'dpc-apoz', PRUNE_METHODS),
    ratio: parseNumberOption('ratio', values.ratio, 0, { min: 0, max: 1, maxInclusive: false }),
    minChannels: parseNumberOption('min-channels', values['min-channels'], 1, { min: 1, integer: true }),
    recalibrationImages: parseRecalibrationImages(values['bn-images'], DEFAULT_RECALIBRATION_IMAGES),
    dpc: {
      ...DEFAULT_DPC_OPTIONS,
      percentile: parseNumberOption('percentile', values.percentile, DEFAULT_DPC_OPTIONS.percentile, {
        min: 0,
        minInclusive: false,
        max: 100,
      }),
      kernel: parseChoiceOption('kernel', values.kernel, DEFAULT_DPC_OPTIONS.kernel, ['gaussian', 'cutoff']),
      clusterCount:
        values.clusters === undefined ? undefined : parseNumberOption('clusters', values.clusters, 1, { min: 1, integer: true }),
    },
    calibrationFraction: parseNumberOption('calibration-fraction', values['calibration-fraction'], 0.5, {
      min: 0,
      max: 1,
      minInclusive: false,
      maxInclusive: false,
    }),
    seed: parseNumberOption('seed', values.seed, 0, { min: 0, max: 2 ** 32 - 1, integer: true }),
    batchSize: parseNumberOption('batch-size', values['batch-size'], 32, { min: 1, integer: true }),
    limit: values.limit === undefined ? undefined : parseNumberOption('limit', values.limit, 0, { min: 1, integer: true }),
  };
}

/** Runs the whole pipeline on a loaded model and writes the output files. */
async function pruneModel(
  model: tf.LayersModel,
  options: PruneOptions,
  io: CliIO,
): Promise<{ report: PruneReport; writtenFiles: string[] }> {
  const progress = new ProgressLine(io);
  try {
    checkPrunable(model, displayPath(io, options.modelFile));
    progress.begin('reading images');
    const outputs = model.outputs[model.outputs.length - 1].shape;
    const format = modelImageFormat(model, displayPath(io, options.modelFile));
    const { calibration, evaluation } = await loadPruneImages(format, outputs[outputs.length - 1] ?? 0, options, io);

    progress.begin('analysing filters');
    const analysis = await analyzeModel(
      model,
      calibration,
      { dpc: options.dpc, batchSize: options.batchSize },
      { onProgress: progress.onProgress },
    );
    const plan = planPruning(
      analysis.layers,
      {
        method: options.method,
        ratio: options.ratio,
        minChannels: options.minChannels,
        seed: options.seed,
        recalibrationImages: options.recalibrationImages,
      },
      {},
      analysis.geometry,
    );
    const pruned = rebuildPruned(model, toRemovalMap(plan));

    try {
      let recalibratedLayers: string[] = [];
      if (shouldRecalibrate(plan)) {
        progress.begin('re-estimating BatchNormalization statistics');
        recalibratedLayers = await recalibrateBatchNorm(pruned, calibration, {
          maxImages: options.recalibrationImages,
          batchSize: options.batchSize,
          onProgress: progress.onProgress,
        });
      }
      progress.begin('evaluating the original model');
      const before = await measureFigures(model, evaluation, options.batchSize, progress);
      progress.begin('evaluating the pruned model');
      const after = await measureFigures(pruned, evaluation, options.batchSize, progress);

      const report = buildReport({
        model: displayPath(io, options.modelFile),
        dpc: options.dpc,
        plan,
        analysis: analysis.layers,
        calibrationImages: calibration.labels.length,
        evaluationImages: evaluation.labels.length,
        before,
        after,
        recalibratedLayers,
      });
      progress.begin('writing files');
      const writtenFiles = await writeOutputs(pruned, report, options.outDir);
      return { report, writtenFiles };
    } finally {
      pruned.dispose();
    }
  } finally {
    progress.clear();
  }
}

/**
 * Throws `no-prunable-layers` before any image is read when no convolution can lose filters,
 * quoting the first convolution's reason.
 */
export function checkPrunable(model: tf.LayersModel, modelFile: string): void {
  if (prunableLayers(model).length > 0) return;
  const firstConv = summarizeModel(model).find((layer) => layer.className === 'Conv2D');
  throw new PeakPruneError(
    'no-prunable-layers',
    `${modelFile}: no convolution can be pruned. Layer "${firstConv?.name}" cannot because ${firstConv?.reason} ` +
      'Run "peakprune inspect" to see the reason for every layer.',
  );
}

async function measureFigures(
  model: tf.LayersModel,
  samples: SampleSet,
  batchSize: number,
  progress: ProgressLine,
): Promise<ModelFigures> {
  const { top1 } = await evaluateTop1(model, samples, { batchSize, onProgress: progress.onProgress });
  return { ...modelMetrics(model), top1 };
}

/** Writes the model, its weights and the report; returns the file names written. */
/** Writes model.json, its weights and report.json into outDir; returns the file names. */
export async function writeOutputs(model: tf.LayersModel, report: PruneReport, outDir: string): Promise<string[]> {
  const files = artifactsToFiles(await saveToArtifacts(model), 'model');
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, OUTPUT_FILES.model), files.modelJson);
    await writeFile(path.join(outDir, files.weightsFileName), files.weights);
    await writeFile(path.join(outDir, OUTPUT_FILES.report), `${JSON.stringify(report, null, 2)}\n`);
    return [OUTPUT_FILES.model, files.weightsFileName, OUTPUT_FILES.report];
  } catch (error) {
    const { code, path: failedPath } = error as NodeJS.ErrnoException;
    throw new PeakPruneError(
      'invalid-options',
      `Writing ${failedPath ?? outDir} failed (${code ?? (error as Error).message}); choose another --out folder.`,
    );
  }
}
