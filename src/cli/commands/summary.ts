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

  const removed = report.layers.reduce((sum, layer) => sum + layer.removed.length, 0);
  const recalibration =
    report.recalibratedLayers.length > 0
      ? `Re-estimated the BatchNormalization statistics of ${report.recalibratedLayers.length} layers ` +
        `on ${report.recalibrationImagesUsed} calibration images (no training).`
      : removed === 0
        ? 'No filter was removed, so the model and its BatchNormalization statistics are unchanged.'
        : 'BatchNormalization statistics were kept as they were (--bn-images 0 or no BatchNormalization layer).';
  const footer = `Wrote ${writtenFiles.join(', ')} to ${outDir} in ${seconds.toFixed(1)} s.`;
  const lines = [header, '', formatTable(layerRows), '', formatTable(figureRows), recalibration];
  const shortfall = describeShortfall(report);
  if (shortfall !== undefined) lines.push(shortfall);
  return [...lines, '', footer, ''].join('\n');
}

/**
 * Names the layers that lost fewer filters than the ratio requests, which happens when every
 * cluster keeps one filter or the minimum channel count applies. Returns undefined when none did.
 */
function describeShortfall(report: PruneReport): string | undefined {
  const requested = (layer: PruneReport['layers'][number]) => Math.min(Math.round((report.plan.layerRatios?.[layer.name] ?? report.plan.ratio) * layer.filters), layer.filters - 1);
  const short = report.layers.filter((layer) => layer.removed.length < requested(layer));
  if (short.length === 0) return undefined;
  const names = short.map((layer) => `${layer.name} (${layer.removed.length} of ${requested(layer)})`).join(', ');
  return (
    `Note: ${names} lost fewer filters than the ratio requests, because each cluster keeps at least one filter ` +
    `or the minimum channel count applies; use fewer clusters (--clusters) or a lower --min-channels to remove more.`
  );
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
