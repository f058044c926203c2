// `peakprune sensitivity`: prune one layer at a time at several ratios, propose per-layer ratios
// that keep each single-layer drop within a limit, then prune with all of them at once and
// measure the combined model.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { parseCommandArgs, parseNumberOption } from '../args';
import { loadLayersModelFromFiles } from '../load-model';
import { analyzeModel, type ModelAnalysis } from '../../core/analyze';
import { PeakPruneError } from '../../core/errors';
import { evaluateTop1, modelMetrics } from '../../core/metrics';
import { buildReport, type ModelFigures } from '../../core/report';
import {
  formatSensitivityCsv,
  layerSensitivity,
  planLayerRatios,
  proposeLayerRatios,
  pruneAndRecalibrate,
  type SensitivityRow,
} from '../../core/sensitivity';
import type { DpcOptions, PruneMethod } from '../../core/types';
import { displayPath, ProgressLine, useCpuBackend, type CliIO } from './io';
import { formatMethodHelp } from './methods';
import { checkOutputFolder, checkPrunable, readPruneOptions, writeOutputs, type PruneOptions } from './prune';
import { parseList } from './sweep';
import { loadPruneImages, modelImageFormat, type PruneImages } from './prune-inputs';
import { formatTable } from './summary';
import { PRUNING_OPTIONS } from './pruning-options';

const DEFAULT_RATIOS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const DEFAULT_MAX_DROP = 0.02;

export const SENSITIVITY_HELP = `Usage: peakprune sensitivity --out DIR [options]

Analyses the model once, then prunes one convolution layer at a time at every ratio, every other
layer intact, re-estimates BatchNormalization statistics and measures top-1 on the evaluation
images. For each layer it proposes the largest ratio whose drop from the unpruned top-1 is at
most --max-drop, then prunes all layers at once with the proposed ratios and measures that model
too, because single-layer drops do not add up exactly. Nothing is fine-tuned.

Writes DIR/sensitivity.csv (columns layer, ratio, params, flops, top1), DIR/sensitivity.json
(the rows, the unpruned figures, the proposed ratios, the combined figures and the settings) and
DIR/proposed/ (model.json, its weights and report.json of the combined prune). Prints top-1 per
layer and ratio, the proposed ratios and the combined figures to stdout.

Options:
  --model PATH                TensorFlow.js LayersModel: model.json, a folder or .zip holding
                              it, or a Keras .h5 or .keras file (default: the shipped
                              public/model/model.json)
  --images DIR                ImageFolder, split into calibration and evaluation images as in
                              "peakprune prune --help" (default: the shipped sample images)
  --method NAME               filter-selection method (default: dpc-apoz); each removes
${formatMethodHelp()}
  --ratios LIST               comma-separated fractions of one layer's filters to remove, each
                              0 <= R < 1 (default: ${DEFAULT_RATIOS.join(',')})
  --max-drop D                largest accepted top-1 drop as a fraction, 0 <= D <= 1; 0.02 is
                              two percentage points (default: ${DEFAULT_MAX_DROP})
  --out DIR                   output folder, created if missing; files in it are replaced (required)
  --min-channels N            filters every pruned layer keeps at least (default: 1)
  --percentile P              DPC cutoff d_c as the P-th percentile of pairwise filter
                              distances, 0 < P <= 100 (default: 2)
  --kernel gaussian|cutoff    DPC density kernel (default: gaussian)
  --clusters K                DPC cluster count per layer (default: the filters whose γ stands out)
  --bn-images N               calibration images used to re-estimate BatchNormalization
                              statistics after each pruning that removes filters, no training;
                              0 turns it off (default: 500)
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

const SENSITIVITY_OPTIONS = {
  ...PRUNING_OPTIONS,
  method: { type: 'string' },
  ratios: { type: 'string' },
  'max-drop': { type: 'string' },
} as const;

/** Names of the files and the folder written to the output folder. */
export const SENSITIVITY_FILES = { csv: 'sensitivity.csv', json: 'sensitivity.json', proposedDir: 'proposed' } as const;

export { formatSensitivityCsv, SENSITIVITY_CSV_COLUMNS } from '../../core/sensitivity';

/** Everything sensitivity.json contains. */
export interface SensitivityResult {
  tool: 'peakprune';
  command: 'sensitivity';
  createdAt: string;
  settings: {
    model: string;
    /** The --images folder, or null for the shipped sample images. */
    images: string | null;
    calibrationImages: number;
    evaluationImages: number;
    method: PruneMethod;
    ratios: number[];
    maxDrop: number;
    minChannels: number;
    recalibrationImages: number;
    dpc: DpcOptions;
    calibrationFraction: number;
    /** Seed of the split, of --limit and of the random method. */
    seed: number;
    limit: number | null;
    batchSize: number;
  };
  /** The model before pruning, evaluated on the same images. */
  unpruned: ModelFigures;
  rows: SensitivityRow[];
  /** Proposed ratio per layer; 0 where no tested ratio stayed within --max-drop. */
  proposedRatios: Record<string, number>;
  /** The model pruned with all proposed ratios at once. */
  combined: ModelFigures;
}

type SensitivityValues = ReturnType<typeof parseCommandArgs<typeof SENSITIVITY_OPTIONS>>;

/** Validated options of one sensitivity run. */
export interface SensitivityCliOptions extends Omit<PruneOptions, 'ratio'> {
  ratios: number[];
  maxDrop: number;
}

/** Runs `peakprune sensitivity`. `argv` contains the arguments after the command name. */
export async function runSensitivity(argv: string[], io: CliIO): Promise<void> {
  const values = parseCommandArgs('sensitivity', argv, SENSITIVITY_OPTIONS);
  if (values.help) {
    io.stdout(SENSITIVITY_HELP);
    return;
  }
  const options = readSensitivityOptions(values, io);
  await checkOutputFolder(options.outDir);
  const started = Date.now();
  await useCpuBackend();

  const model = await loadLayersModelFromFiles(options.modelFile);
  try {
    const result = await measureSensitivity(model, options, io);
    await writeSensitivityFiles(result, options.outDir);
    io.stdout(formatSensitivitySummary(result, displayPath(io, options.outDir), (Date.now() - started) / 1000));
  } finally {
    model.dispose();
  }
}

/** Checks every option before any file is read. Throws `invalid-options` naming the option. */
export function readSensitivityOptions(values: SensitivityValues, io: CliIO): SensitivityCliOptions {
  if (values.out === undefined) {
    throw new PeakPruneError('invalid-options', 'Option --out is required; run "peakprune sensitivity --help" for the options.');
  }
  // prune's reader validates the options the two commands share. Its ratio is not used here.
  const { ratio: _ratio, ...shared } = readPruneOptions({ ...values, ratio: '0' }, io);
  return {
    ...shared,
    ratios: parseList('ratios', values.ratios, DEFAULT_RATIOS, (item) =>
      parseNumberOption('ratios', item, 0, { min: 0, max: 1, maxInclusive: false }),
    ),
    maxDrop: parseNumberOption('max-drop', values['max-drop'], DEFAULT_MAX_DROP, { min: 0, max: 1 }),
  };
}

/** Analyses the model, measures every layer and ratio, proposes ratios and prunes with them. */
async function measureSensitivity(model: tf.LayersModel, options: SensitivityCliOptions, io: CliIO): Promise<SensitivityResult> {
  const progress = new ProgressLine(io);
  try {
    checkPrunable(model, displayPath(io, options.modelFile));
    progress.begin('reading images');
    const outputs = model.outputs[model.outputs.length - 1].shape;
    const format = modelImageFormat(model, displayPath(io, options.modelFile));
    const images = await loadPruneImages(format, outputs[outputs.length - 1] ?? 0, options, io);

    progress.begin('analysing filters');
    const analysis = await analyzeModel(model, images.calibration, { dpc: options.dpc, batchSize: options.batchSize }, { onProgress: progress.onProgress });
    progress.begin('evaluating the unpruned model');
    const { top1 } = await evaluateTop1(model, images.evaluation, { batchSize: options.batchSize, onProgress: progress.onProgress });
    const unpruned: ModelFigures = { ...modelMetrics(model), top1 };

    progress.begin('pruning one layer at a time');
    const rows = await layerSensitivity(model, analysis, images.evaluation, {
      ...coreOptions(options, images),
      ratios: options.ratios,
      onProgress: progress.onProgress,
    });
    const proposedRatios = proposeLayerRatios(rows, top1, options.maxDrop, options.ratios);

    progress.begin('pruning with the proposed ratios');
    const combined = await pruneCombined(model, analysis, images, proposedRatios, unpruned, options, io);
    return {
      tool: 'peakprune',
      command: 'sensitivity',
      createdAt: new Date().toISOString(),
      settings: sensitivitySettings(options, images, io),
      unpruned,
      rows,
      proposedRatios,
      combined,
    };
  } finally {
    progress.clear();
  }
}

function coreOptions(options: SensitivityCliOptions, images: PruneImages) {
  return {
    method: options.method,
    minChannels: options.minChannels,
    seed: options.seed,
    recalibrationImages: options.recalibrationImages,
    calibration: images.calibration,
    batchSize: options.batchSize,
  };
}

/**
 * Prunes every layer at its proposed ratio at once, measures the model and writes it with its
 * report to DIR/proposed/. Returns the combined figures.
 */
async function pruneCombined(
  model: tf.LayersModel,
  analysis: ModelAnalysis,
  images: PruneImages,
  proposedRatios: Record<string, number>,
  unpruned: ModelFigures,
  options: SensitivityCliOptions,
  io: CliIO,
): Promise<ModelFigures> {
  const plan = planLayerRatios(analysis, proposedRatios, coreOptions(options, images));
  const pruned = await pruneAndRecalibrate(model, plan, coreOptions(options, images));
  try {
    const { top1 } = await evaluateTop1(pruned.model, images.evaluation, { batchSize: options.batchSize });
    const combined: ModelFigures = { ...modelMetrics(pruned.model), top1 };
    const report = buildReport({
      model: displayPath(io, options.modelFile),
      dpc: options.dpc,
      plan,
      analysis: analysis.layers,
      calibrationImages: images.calibration.labels.length,
      evaluationImages: images.evaluation.labels.length,
      before: unpruned,
      after: combined,
      recalibratedLayers: pruned.recalibratedLayers,
    });
    await writeOutputs(pruned.model, report, path.join(options.outDir, SENSITIVITY_FILES.proposedDir));
    return combined;
  } finally {
    pruned.model.dispose();
  }
}

function sensitivitySettings(options: SensitivityCliOptions, images: PruneImages, io: CliIO): SensitivityResult['settings'] {
  return {
    model: displayPath(io, options.modelFile),
    images: options.imagesDir === undefined ? null : displayPath(io, options.imagesDir),
    calibrationImages: images.calibration.labels.length,
    evaluationImages: images.evaluation.labels.length,
    method: options.method,
    ratios: options.ratios,
    maxDrop: options.maxDrop,
    minChannels: options.minChannels,
    recalibrationImages: options.recalibrationImages,
    dpc: options.dpc,
    calibrationFraction: options.calibrationFraction,
    seed: options.seed,
    limit: options.limit ?? null,
    batchSize: options.batchSize,
  };
}

async function writeSensitivityFiles(result: SensitivityResult, outDir: string): Promise<void> {
  await writeOrThrow(outDir, async () => {
    await mkdir(outDir, { recursive: true });
    await writeFile(path.join(outDir, SENSITIVITY_FILES.csv), formatSensitivityCsv(result.rows));
    await writeFile(path.join(outDir, SENSITIVITY_FILES.json), `${JSON.stringify(result, null, 2)}\n`);
  });
}

/** Runs `write` and turns a file-system failure into `invalid-options` naming the failed path. */
async function writeOrThrow(dir: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const { code, path: failedPath } = error as NodeJS.ErrnoException;
    throw new PeakPruneError(
      'invalid-options',
      `Writing ${failedPath ?? dir} failed (${code ?? (error as Error).message}); choose another --out folder.`,
    );
  }
}

/** Formats top-1 per layer and ratio with the proposed ratio of each layer, then the combined figures. */
export function formatSensitivitySummary(result: SensitivityResult, outDir: string, seconds: number): string {
  const { settings, unpruned, combined } = result;
  const header =
    `Sensitivity of ${settings.model} to ${settings.method}, one layer at a time ` +
    `(${settings.calibrationImages} calibration images, ${settings.evaluationImages} evaluation images).`;
  const table = [['top-1 (%)', ...settings.ratios.map(String), 'proposed']];
  for (const layer of Object.keys(result.proposedRatios)) {
    const cells = settings.ratios.map((ratio) => {
      const row = result.rows.find((r) => r.layer === layer && r.ratio === ratio);
      return row === undefined ? 'n/a' : formatPercent(row.top1);
    });
    table.push([layer, ...cells, String(result.proposedRatios[layer])]);
  }
  const lines = [
    header,
    `Unpruned: top-1 ${formatPercent(unpruned.top1 ?? Number.NaN)} %, ${formatCount(unpruned.params)} parameters, ${formatCount(unpruned.flops)} FLOPs.`,
    '',
    formatTable(table),
    '',
    `Proposed ratios (largest tested ratio whose single-layer drop is at most ${formatPercent(settings.maxDrop)} points):`,
    `  ${JSON.stringify(result.proposedRatios)}`,
    `Combined prune with the proposed ratios: top-1 ${formatPercent(combined.top1 ?? Number.NaN)} % ` +
      `(${formatSigned((combined.top1 ?? Number.NaN) - (unpruned.top1 ?? Number.NaN))} points), ` +
      `${formatCount(combined.params)} parameters (${formatPercent(combined.params / unpruned.params)} % kept), ` +
      `${formatCount(combined.flops)} FLOPs (${formatPercent(combined.flops / unpruned.flops)} % kept).`,
    'Single-layer drops do not add up exactly, so the combined drop can exceed --max-drop; no fine-tuning.',
    `Wrote ${SENSITIVITY_FILES.csv} (${result.rows.length} rows), ${SENSITIVITY_FILES.json} and ` +
      `${SENSITIVITY_FILES.proposedDir}/ to ${outDir} in ${seconds.toFixed(1)} s.`,
    '',
  ];
  return lines.join('\n');
}

function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? (fraction * 100).toFixed(1) : 'n/a';
}

function formatSigned(fraction: number): string {
  const text = formatPercent(fraction);
  return fraction > 0 ? `+${text}` : text;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
