// Data behind the method-comparison chart and its downloads: one line per method (the random
// method as a min–max band over seeds with a mean line), sweep.csv and sweep.json text, and the
// chart as SVG text or a PNG Blob.
import type { FineTuneSettings } from '../core/finetune';
import { formatSweepCsv, type SweepRow } from '../core/sweep';
import { PRUNE_METHODS } from '../core/criteria';
import type { PruneMethod } from '../core/types';
import { CLUSTER_COLORS, UNASSIGNED_COLOR } from './charts/palette';

/** Dash pattern per method, in PRUNE_METHODS order, so lines differ without colour. */
const DASHES: readonly string[] = ['', '6 3', '2 3', '8 3 2 3', '', '12 4', '4 2 1 2', '1 2'];

/** Returns a method's colour: the colour-blind-safe palette in PRUNE_METHODS order, grey for the eighth. */
export function methodColor(method: PruneMethod): string {
  const index = PRUNE_METHODS.indexOf(method);
  return index >= 0 && index < CLUSTER_COLORS.length ? CLUSTER_COLORS[index] : UNASSIGNED_COLOR;
}

/** Returns a method's dash pattern for stroke-dasharray; '' is a solid line. */
export function methodDash(method: PruneMethod): string {
  return DASHES[PRUNE_METHODS.indexOf(method)] ?? '';
}

/** Quantity on the chart's x axis. */
export type SweepAxis = 'ratio' | 'params' | 'flops';

/** One x position of a method's line: the mean, minimum and maximum top-1 over its seeds. */
export interface SweepBandPoint {
  ratio: number;
  /** Mean parameters and FLOPs over the seeds (equal for seeds of one ratio unless a layer hits minChannels). */
  params: number;
  flops: number;
  mean: number;
  min: number;
  max: number;
  /** Number of rows (seeds) averaged. */
  count: number;
}

/** One method's points, sorted by ratio. */
export interface SweepSeries {
  method: PruneMethod;
  points: SweepBandPoint[];
}

/** Stage of a row's top-1 that a series plots: before or after fine-tuning. */
export type SweepStage = 'before' | 'finetuned';

/** Returns the row's top-1 for `stage`; null for a row that was not fine-tuned. */
export function stageTop1(row: SweepRow, stage: SweepStage): number | null {
  return stage === 'before' ? row.top1 : row.top1Finetuned;
}

/**
 * Groups rows by method, in order of first appearance, and by ratio, in ascending order, and
 * reduces each group to its mean, minimum and maximum top-1 of `stage`. Methods without a seed
 * give groups of one row, so their band is a single line. For 'finetuned', rows that were not
 * fine-tuned are left out, and a method without fine-tuned rows gets no series.
 */
export function sweepSeries(rows: readonly SweepRow[], stage: SweepStage = 'before'): SweepSeries[] {
  const byMethod = new Map<PruneMethod, Map<number, SweepRow[]>>();
  for (const row of rows) {
    if (stageTop1(row, stage) === null) continue;
    const byRatio = byMethod.get(row.method) ?? new Map<number, SweepRow[]>();
    byMethod.set(row.method, byRatio);
    byRatio.set(row.ratio, [...(byRatio.get(row.ratio) ?? []), row]);
  }
  return [...byMethod].map(([method, byRatio]) => ({
    method,
    points: [...byRatio]
      .sort(([a], [b]) => a - b)
      .map(([ratio, group]) => bandPoint(ratio, group, stage)),
  }));
}

function bandPoint(ratio: number, group: readonly SweepRow[], stage: SweepStage): SweepBandPoint {
  const top1 = group.map((row) => stageTop1(row, stage) ?? Number.NaN);
  return {
    ratio,
    params: average(group.map((row) => row.params)),
    flops: average(group.map((row) => row.flops)),
    mean: average(top1),
    min: Math.min(...top1),
    max: Math.max(...top1),
    count: group.length,
  };
}

function average(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Returns the x value of a row or band point on the chosen axis. */
export function axisValue(point: { ratio: number; params: number; flops: number }, axis: SweepAxis): number {
  return point[axis];
}

/** sweep.csv text: the columns of `peakprune sweep`'s sweep.csv, in the same format. */
export function sweepCsvText(rows: readonly SweepRow[]): string {
  return formatSweepCsv(rows);
}

/** Settings recorded in the page's sweep.json. */
export interface PageSweepSettings {
  model: string;
  methods: readonly PruneMethod[];
  ratios: readonly number[];
  seeds: readonly number[];
  minChannels: number;
  recalibrationImages: number;
  calibrationImages: number;
  evaluationImages: number;
  /** Fine-tuning settings and the ratios they applied to; null when nothing was fine-tuned. */
  fineTune: (FineTuneSettings & { ratios: readonly number[] }) | null;
}

/**
 * sweep.json text in the layout of `peakprune sweep`'s file (tool, command, createdAt, settings,
 * rows), plus `complete`, false when the sweep was cancelled before its last run.
 */
export function sweepJsonText(rows: readonly SweepRow[], settings: PageSweepSettings, complete: boolean, createdAt: Date): string {
  const document = { tool: 'peakprune', command: 'sweep', source: 'browser', createdAt: createdAt.toISOString(), complete, settings, rows };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Serialises an <svg> element to standalone SVG text. CSS rules do not travel with the element,
 * so the chart sets its colours and dash patterns as attributes.
 */
export function serializeSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

/** Rasterises SVG text on a white canvas at `scale` times its size and encodes it as a PNG Blob. */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('The browser gave no 2D canvas context for the PNG export.');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((blob) => (blob === null ? reject(new Error('Encoding the chart as PNG failed.')) : resolve(blob)), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
