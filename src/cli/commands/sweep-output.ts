// Files and summary of `peakprune sweep`: sweep.csv, sweep.json and the stdout tables.
import type { FineTuneSettings } from '../../core/finetune';
import type { ModelFigures } from '../../core/report';
import type { DpcOptions, PruneMethod } from '../../core/types';
import type { SweepRow } from '../../core/sweep';
import { formatTable } from './summary';

export { formatSweepCsv, SWEEP_CSV_COLUMNS, type SweepRow } from '../../core/sweep';

/** Settings of one sweep, as written to sweep.json. */
export interface SweepSettings {
  model: string;
  /** The --images folder, or null for the shipped sample images. */
  images: string | null;
  calibrationImages: number;
  evaluationImages: number;
  methods: PruneMethod[];
  ratios: number[];
  seeds: number[];
  minChannels: number;
  recalibrationImages: number;
  dpc: DpcOptions;
  calibrationFraction: number;
  /** Seed of the calibration/evaluation split and of --limit. */
  splitSeed: number;
  limit: number | null;
  batchSize: number;
  /** Fine-tuning settings and the ratios they applied to; null when nothing was fine-tuned. */
  fineTune: (FineTuneSettings & { ratios: readonly number[] }) | null;
}

export interface SweepResult {
  tool: 'peakprune';
  command: 'sweep';
  createdAt: string;
  settings: SweepSettings;
  /** The model before pruning, evaluated on the same images. */
  unpruned: ModelFigures;
  rows: SweepRow[];
}

/**
 * Formats two tables, top-1 and parameters kept, with one line per method and one column per
 * ratio. The random method shows the mean over its seeds.
 */
export function formatSweepSummary(result: SweepResult, outDir: string, seconds: number): string {
  const { settings, unpruned } = result;
  const header =
    `Swept ${settings.model}: ${settings.methods.length} methods × ${settings.ratios.length} ratios ` +
    `(${settings.calibrationImages} calibration images, ${settings.evaluationImages} evaluation images).`;
  const baseline = `Unpruned: top-1 ${formatPercent(unpruned.top1 ?? Number.NaN)} %, ${unpruned.params.toLocaleString('en-US')} parameters.`;
  const top1 = pivot(result, 'top-1 (%)', (rows) => formatPercent(mean(rows.map((row) => row.top1))));
  const params = pivot(result, 'params kept (%)', (rows) => formatPercent(mean(rows.map((row) => row.params)) / unpruned.params));
  const fineTuned = result.rows.filter((row) => row.top1Finetuned !== null);
  const finetunedTable =
    fineTuned.length === 0
      ? []
      : [pivot(result, 'top-1 fine-tuned (%)', (rows) => formatFineTuned(rows)), ''];
  const recalibration =
    settings.recalibrationImages > 0
      ? `BatchNormalization statistics were re-estimated on ${Math.min(settings.recalibrationImages, settings.calibrationImages)} calibration images ` +
        'after every pruning that removed filters.'
      : 'BatchNormalization statistics were kept as they were (--bn-images 0).';
  const fineTuning =
    settings.fineTune === null
      ? 'No fine-tuning.'
      : `Fine-tuned for up to ${settings.fineTune.epochs} epochs on the calibration images at ratios ${settings.fineTune.ratios.join(', ')}.`;
  const footer = `Wrote sweep.csv and sweep.json (${result.rows.length} rows) to ${outDir} in ${seconds.toFixed(1)} s.`;
  return [header, baseline, '', top1, '', ...finetunedTable, params, '', `${recalibration} ${fineTuning}`, footer, ''].join('\n');
}

function pivot(result: SweepResult, title: string, cell: (rows: SweepRow[]) => string): string {
  const { methods, ratios, seeds } = result.settings;
  const table = [[title, ...ratios.map(String)]];
  for (const method of methods) {
    const label = method === 'random' && seeds.length > 1 ? `random (mean of ${seeds.length} seeds)` : method;
    const cells = ratios.map((ratio) => {
      const rows = result.rows.filter((row) => row.method === method && row.ratio === ratio);
      return rows.length === 0 ? 'n/a' : cell(rows);
    });
    table.push([label, ...cells]);
  }
  return formatTable(table);
}

function formatFineTuned(rows: readonly SweepRow[]): string {
  const values = rows.map((row) => row.top1Finetuned).filter((value): value is number => value !== null);
  return values.length === 0 ? '-' : formatPercent(mean(values));
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? (fraction * 100).toFixed(1) : 'n/a';
}
