// `peakprune sweep`: analyse once, then prune with every method, seed and ratio, and record
// parameters, FLOPs and top-1 of each pruned model.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { parseChoiceOption, parseCommandArgs, parseNumberOption } from '../args';
import { loadLayersModelFromFiles } from '../load-model';
import { analyzeModel } from '../../core/analyze';
import { PRUNE_METHODS } from '../../core/criteria';
import { PeakPruneError } from '../../core/errors';
import { evaluateTop1, modelMetrics } from '../../core/metrics';
import type { ModelFigures } from '../../core/report';
import { DEFAULT_FINE_TUNE_SETTINGS } from '../../core/finetune';
import { measureSweepRun, sweepRuns, type SweepContext, type SweepFineTune, type SweepRow } from '../../core/sweep';
import type { PruneMethod, SampleSet } from '../../core/types';
import { displayPath, ProgressLine, useCpuBackend, type CliIO } from './io';
import { formatMethodHelp } from './methods';
import { checkPrunable, readPruneOptions, type PruneOptions } from './prune';
import { loadPruneImages, modelImageFormat, type PruneImages } from './prune-inputs';
import { formatSweepCsv, formatSweepSummary, type SweepResult } from './sweep-output';
import { PRUNING_OPTIONS } from './pruning-options';

const DEFAULT_RATIOS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export const SWEEP_HELP = `Usage: peakprune sweep --out DIR [options]

Analyses the model once (density peak clustering of the filters and APoZ on the calibration
images), then, for every method, seed and ratio, plans the pruning, rebuilds the smaller model,
re-estimates its BatchNormalization statistics on the calibration images and measures top-1 on
the evaluation images. With --finetune-epochs E it then fine-tunes each pruned model for up to E
epochs on the calibration images (a tenth held out for early stopping) and measures top-1 again.
Writes DIR/sweep.csv (columns method, seed, ratio, params, flops, top1, bytes, filters_removed,
seconds, top1_finetuned, finetune_epochs, finetune_best_epoch) and DIR/sweep.json (the same rows
and the settings), and prints top-1 and parameters per method and ratio to stdout. Progress goes
to stderr when it is a terminal.

Options:
  --model PATH                TensorFlow.js LayersModel: model.json, a folder or .zip holding
                              it, or a Keras .h5 or .keras file (default: the shipped
                              public/model/model.json)
  --images DIR                ImageFolder, split into calibration and evaluation images as in
                              "peakprune prune --help" (default: the shipped sample images)
  --methods LIST              comma-separated methods (default: all of them); each removes
${formatMethodHelp()}
  --ratios LIST               comma-separated fractions of each layer's filters to remove, each
                              0 <= R < 1 (default: ${DEFAULT_RATIOS.join(',')})
  --seeds LIST                comma-separated integer seeds of the random method; the other
                              methods run once and leave the seed column empty (default: 0)
  --out DIR                   output folder, created if missing; sweep.csv and sweep.json in it
                              are replaced (required)
  --finetune-epochs E         fine-tune each pruned model for up to E epochs on the calibration
                              images with Adam, then measure top-1 again in column
                              top1_finetuned; 0 turns it off (default: 0). Slow on Node's cpu
                              backend: about 1.4 s per image and epoch for the shipped model
  --finetune-ratios LIST      comma-separated ratios, each one of --ratios, whose prunings are
                              fine-tuned (default: every ratio)
  --finetune-batch-size B     images per fine-tuning step (default: ${DEFAULT_FINE_TUNE_SETTINGS.batchSize})
  --learning-rate LR          Adam learning rate of the fine-tuning, LR > 0 (default: ${DEFAULT_FINE_TUNE_SETTINGS.learningRate})
  --min-channels N            filters every pruned layer keeps at least (default: 1)
  --percentile P              DPC cutoff d_c as the P-th percentile of pairwise filter
                              distances, 0 < P <= 100 (default: 2)
  --kernel gaussian|cutoff    DPC density kernel (default: gaussian)
  --clusters K                DPC cluster count per layer (default: the filters whose γ stands out)
  --bn-images N               calibration images used to re-estimate BatchNormalization
                              statistics after each pruning that removes filters, no training;
                              0 turns it off (default: 500). Rows whose plan removes no filter
                              measure the unpruned model as it is.
  --calibration-fraction F    share of each class of --images used for calibration, the rest
                              for evaluation, 0 < F < 1 (default: 0.5)
  --seed S                    integer seed of the split and of --limit (default: 0); the random
                              method uses --seeds
  --batch-size B              images per forward pass (default: 32)
  --limit N                   use at most N calibration and N evaluation images, picked
                              class-balanced with --seed
  --verbose                   print the stack trace of an unexpected error
  -h, --help                  show this help
`;

const SWEEP_OPTIONS = {
  ...PRUNING_OPTIONS,
  methods: { type: 'string' },
  ratios: { type: 'string' },
  seeds: { type: 'string' },
  'finetune-epochs': { type: 'string' },
  'finetune-ratios': { type: 'string' },
  'finetune-batch-size': { type: 'string' },
  'learning-rate': { type: 'string' },
} as const;

type SweepValues = ReturnType<typeof parseCommandArgs<typeof SWEEP_OPTIONS>>;

/** Validated options of one sweep. `seed` is the split seed, and `seeds` are those of the random method. */
export interface SweepOptions extends Omit<PruneOptions, 'method' | 'ratio'> {
  methods: PruneMethod[];
  ratios: number[];
  seeds: number[];
  /** Fine-tuning of the swept prunings; absent when --finetune-epochs is 0 or missing. */
  fineTune?: SweepFineTune;
}

/** Runs `peakprune sweep`. `argv` contains the arguments after the command name. */
export async function runSweep(argv: string[], io: CliIO): Promise<void> {
  const values = parseCommandArgs('sweep', argv, SWEEP_OPTIONS);
  if (values.help) {
    io.stdout(SWEEP_HELP);
    return;
  }
  const options = readSweepOptions(values, io);
  const started = Date.now();
  await useCpuBackend();

  await createOutputFolder(options.outDir);
  const model = await loadLayersModelFromFiles(options.modelFile);
  try {
    const result = await sweepModel(model, options, io);
    await writeSweepFiles(result, options.outDir);
    io.stdout(formatSweepSummary(result, displayPath(io, options.outDir), (Date.now() - started) / 1000));
  } finally {
    model.dispose();
  }
}

/** Checks every option before any file is read. Throws `invalid-options` naming the option. */
export function readSweepOptions(values: SweepValues, io: CliIO): SweepOptions {
  if (values.out === undefined) {
    throw new PeakPruneError('invalid-options', 'Option --out is required; run "peakprune sweep --help" for the options.');
  }
  // prune's reader validates the options the two commands share. Its ratio is not used here.
  const { method: _method, ratio: _ratio, ...shared } = readPruneOptions({ ...values, method: undefined, ratio: '0' }, io);
  const ratios = parseList('ratios', values.ratios, DEFAULT_RATIOS, (item) =>
    parseNumberOption('ratios', item, 0, { min: 0, max: 1, maxInclusive: false }),
  );
  return {
    ...shared,
    ratios,
    fineTune: readFineTuneOptions(values, ratios, shared.seed),
    methods: parseList('methods', values.methods, [...PRUNE_METHODS], (item) =>
      parseChoiceOption<PruneMethod>('methods', item, 'dpc-apoz', PRUNE_METHODS),
    ),
    seeds: parseList('seeds', values.seeds, [0], (item) => parseNumberOption('seeds', item, 0, { min: 0, max: 2 ** 32 - 1, integer: true })),
  };
}

/** Parses a comma-separated option value item by item. Throws `invalid-options` on an empty or repeated item. */
export function parseList<T>(name: string, raw: string | undefined, fallback: T[], parseItem: (item: string) => T): T[] {
  if (raw === undefined) return fallback;
  const items = raw.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new PeakPruneError('invalid-options', `Option --${name} has an empty item in "${raw}"; separate the values by single commas.`);
  }
  const parsed = items.map(parseItem);
  const repeated = parsed.findIndex((value, i) => parsed.indexOf(value) !== i);
  if (repeated >= 0) {
    throw new PeakPruneError('invalid-options', `Option --${name} lists ${items[repeated]} twice; list each value once.`);
  }
  return parsed;
}

/**
 * Reads the fine-tuning options; returns undefined when --finetune-epochs is 0 or absent and
 * rejects the other fine-tuning options then, because they would have no effect.
 */
export function readFineTuneOptions(values: SweepValues, ratios: readonly number[], splitSeed: number): SweepFineTune | undefined {
  const epochs = parseNumberOption('finetune-epochs', values['finetune-epochs'], 0, { min: 0, integer: true });
  if (epochs === 0) {
    const unused = (['finetune-ratios', 'finetune-batch-size', 'learning-rate'] as const).find((name) => values[name] !== undefined);
    if (unused !== undefined) {
      throw new PeakPruneError('invalid-options', `Option --${unused} needs --finetune-epochs 1 or more; add it or drop --${unused}.`);
    }
    return undefined;
  }
  const fineTuneRatios = parseList('finetune-ratios', values['finetune-ratios'], [...ratios], (item) => {
    const ratio = parseNumberOption('finetune-ratios', item, 0, { min: 0, max: 1, maxInclusive: false });
    if (!ratios.includes(ratio)) {
      throw new PeakPruneError('invalid-options', `Option --finetune-ratios lists ${item}, which is not one of --ratios; list only swept ratios.`);
    }
    return ratio;
  });
  return {
    settings: {
      ...DEFAULT_FINE_TUNE_SETTINGS,
      epochs,
      batchSize: parseNumberOption('finetune-batch-size', values['finetune-batch-size'], DEFAULT_FINE_TUNE_SETTINGS.batchSize, { min: 1, integer: true }),
      learningRate: parseNumberOption('learning-rate', values['learning-rate'], DEFAULT_FINE_TUNE_SETTINGS.learningRate, { min: 0, minInclusive: false }),
      seed: splitSeed,
    },
    ratios: fineTuneRatios.length === ratios.length ? undefined : fineTuneRatios,
  };
}

/** Analyses the model, evaluates it unpruned, then measures every method, seed and ratio. */
async function sweepModel(model: tf.LayersModel, options: SweepOptions, io: CliIO): Promise<SweepResult> {
  const progress = new ProgressLine(io);
  try {
    checkPrunable(model, displayPath(io, options.modelFile));
    progress.begin('reading images');
    const outputs = model.outputs[model.outputs.length - 1].shape;
    const format = modelImageFormat(model, displayPath(io, options.modelFile));
    const images = await loadPruneImages(format, outputs[outputs.length - 1] ?? 0, options, io);

    progress.begin('analysing filters');
    const analysis = await analyzeModel(
      model,
      images.calibration,
      { dpc: options.dpc, batchSize: options.batchSize },
      { onProgress: progress.onProgress },
    );
    progress.begin('evaluating the unpruned model');
    const { top1 } = await evaluateTop1(model, images.evaluation, { batchSize: options.batchSize, onProgress: progress.onProgress });
    const unpruned: ModelFigures = { ...modelMetrics(model), top1 };

    const context: SweepContext = {
      model,
      layers: analysis.layers,
      geometry: analysis.geometry,
      calibration: images.calibration,
      evaluation: images.evaluation,
      minChannels: options.minChannels,
      recalibrationImages: options.recalibrationImages,
      batchSize: options.batchSize,
      fineTune: options.fineTune,
    };
    const runs = sweepRuns(options);
    const rows: SweepRow[] = [];
    for (const [index, run] of runs.entries()) {
      const seedLabel = run.seed === null ? '' : ` seed ${run.seed}`;
      progress.begin(`[${index + 1}/${runs.length}] ${run.method}${seedLabel} ratio ${run.ratio}`);
      rows.push(await measureSweepRun(context, run, { onProgress: progress.onProgress }));
    }
    return {
      tool: 'peakprune',
      command: 'sweep',
      createdAt: new Date().toISOString(),
      settings: sweepSettings(options, images, io),
      unpruned,
      rows,
    };
  } finally {
    progress.clear();
  }
}

function sweepSettings(options: SweepOptions, images: PruneImages, io: CliIO): SweepResult['settings'] {
  return {
    model: displayPath(io, options.modelFile),
    images: options.imagesDir === undefined ? null : displayPath(io, options.imagesDir),
    calibrationImages: countOf(images.calibration),
    evaluationImages: countOf(images.evaluation),
    methods: options.methods,
    ratios: options.ratios,
    seeds: options.seeds,
    minChannels: options.minChannels,
    recalibrationImages: options.recalibrationImages,
    dpc: options.dpc,
    calibrationFraction: options.calibrationFraction,
    splitSeed: options.seed,
    limit: options.limit ?? null,
    batchSize: options.batchSize,
    fineTune: options.fineTune === undefined ? null : { ...options.fineTune.settings, ratios: options.fineTune.ratios ?? options.ratios },
  };
}

function countOf(samples: SampleSet): number {
  return samples.labels.length;
}

/** Names of the files written to the output folder. */
export const SWEEP_FILES = { csv: 'sweep.csv', json: 'sweep.json' } as const;

/** Creates the output folder before the long work starts, so that a bad --out fails at once. */
async function createOutputFolder(outDir: string): Promise<void> {
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw writeError(error, outDir);
  }
}

async function writeSweepFiles(result: SweepResult, outDir: string): Promise<void> {
  try {
    await writeFile(path.join(outDir, SWEEP_FILES.csv), formatSweepCsv(result.rows));
    await writeFile(path.join(outDir, SWEEP_FILES.json), `${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    throw writeError(error, outDir);
  }
}

function writeError(error: unknown, outDir: string): PeakPruneError {
  const { code, path: failedPath } = error as NodeJS.ErrnoException;
  return new PeakPruneError(
    'invalid-options',
    `Writing ${failedPath ?? outDir} failed (${code ?? (error as Error).message}); choose another --out folder.`,
  );
}
