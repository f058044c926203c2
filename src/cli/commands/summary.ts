// The human-readable summary that `peakprune prune` prints to stdout.
import type { ModelFigures, PruneReport } from '../../core/report';

/** Formats the per-layer lines, the before/after table and the files written. */
export function formatSummary(report: PruneReport, outDir: string, writtenFiles: readonly string[], seconds: number): string {
  const header =
    `Pruned ${report.model} with ${report.plan.method} at ratio ${report.plan.ratio} ` +
    `(${report.calibrationImages} calibration images, ${report.evaluationImages} evaluation images).`;

  const layerRows = [
    ['layer', 'filters', 'clusters', 'removed', 'kept'],
    ...report.layers.map((layer) => [
      layer.name,
      String(layer.filters),
      String(layer.clusters),
      String(layer.removed.length),
      String(layer.kept),
    ]),
  ];

  const figureRows = [
    ['', 'params', 'FLOPs', 'bytes', 'top-1'],
    ['before', ...formatFigures(report.before)],
    ['after', ...formatFigures(report.after)],
    ['change', ...formatChange(report.before, report.after)],
  ];

  const recalibration =
    report.recalibratedLayers.length === 0
      ? 'BatchNormalization statistics were kept as they were (--bn-images 0 or no BatchNormalization layer).'
      : `Re-estimated the BatchNormalization statistics of ${report.recalibratedLayers.length} layers ` +
        `on ${report.recalibrationImagesUsed} calibration images (no training).`;
  const footer = `Wrote ${writtenFiles.join(', ')} to ${outDir} in ${seconds.toFixed(1)} s.`;
  return [header, '', formatTable(layerRows), '', formatTable(figureRows), recalibration, '', footer, ''].join('\n');
}

function formatFigures(figures: ModelFigures): string[] {
  return [
    formatCount(figures.params),
    formatCount(figures.flops),
    formatCount(figures.bytes),
    figures.top1 === null ? 'n/a' : `${(figures.top1 * 100).toFixed(1)} %`,
  ];
}

function formatChange(before: ModelFigures, after: ModelFigures): string[] {
  const relative = (from: number, to: number) => (from === 0 ? 'n/a' : `${formatSigned(((to - from) / from) * 100)} %`);
  const top1 =
    before.top1 === null || after.top1 === null ? 'n/a' : `${formatSigned((after.top1 - before.top1) * 100)} points`;
  return [relative(before.params, after.params), relative(before.flops, after.flops), relative(before.bytes, after.bytes), top1];
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatSigned(value: number): string {
  const text = value.toFixed(1);
  return value > 0 ? `+${text}` : text;
}

/** Pads columns to equal width: the first column left-aligned, the others right-aligned. */
export function formatTable(rows: readonly string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '))
    .join('\n');
}
