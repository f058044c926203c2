// The results figure as standalone SVG text: top-1 against the pruning ratio, one solid or
// method-dashed line per method before fine-tuning, and a thinner dashed line with hollow squares
// of the same colour after fine-tuning. The random method is the mean over its seeds with a
// min–max band, as on the page's chart.
import { area, line, scaleLinear } from 'd3';

import type { SweepRow } from '../../src/core/sweep';
import { methodColor, methodDash, sweepSeries, type SweepBandPoint, type SweepStage } from '../../src/ui/sweep-export';

const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { top: 20, right: 190, bottom: 48, left: 56 };
const FINETUNED_DASH = '3 3';

/** Renders `before` rows (every ratio) and the `finetuned` rows' fine-tuned top-1 as one SVG. */
export function renderResultsSvg(before: readonly SweepRow[], finetuned: readonly SweepRow[], title: string): string {
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xMax = Math.max(...before.map((row) => row.ratio), ...finetuned.map((row) => row.ratio), 0.1);
  const x = scaleLinear().domain([0, xMax]).range([0, innerWidth]).nice();
  const y = scaleLinear().domain([0, 1]).range([innerHeight, 0]);

  const parts: string[] = [];
  parts.push(...axes(x, y, innerWidth, innerHeight));
  parts.push(...seriesPaths(sweepSeries(before, 'before'), 'before', x, y));
  parts.push(...seriesPaths(sweepSeries(finetuned, 'finetuned'), 'finetuned', x, y));
  for (const row of finetuned) {
    if (row.top1Finetuned === null) continue;
    const cx = x(row.ratio);
    const cy = y(row.top1Finetuned);
    parts.push(`<rect x="${fixed(cx - 3)}" y="${fixed(cy - 3)}" width="6" height="6" fill="#ffffff" stroke="${methodColor(row.method)}" stroke-width="1.5"/>`);
  }
  parts.push(...legend(before, innerWidth));

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<g transform="translate(${MARGIN.left},${MARGIN.top})">`,
    ...parts,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

function axes(x: ReturnType<typeof scaleLinear<number>>, y: ReturnType<typeof scaleLinear<number>>, innerWidth: number, innerHeight: number): string[] {
  const parts = [`<line x1="0" y1="${innerHeight}" x2="${innerWidth}" y2="${innerHeight}" stroke="#000"/>`, `<line x1="0" y1="0" x2="0" y2="${innerHeight}" stroke="#000"/>`];
  const xLabel = x.tickFormat(10);
  for (const tick of x.ticks(10)) {
    const px = fixed(x(tick));
    parts.push(`<line x1="${px}" y1="${innerHeight}" x2="${px}" y2="${innerHeight + 5}" stroke="#000"/>`);
    parts.push(`<text x="${px}" y="${innerHeight + 18}" font-size="11" text-anchor="middle">${xLabel(tick)}</text>`);
  }
  for (const tick of y.ticks(10)) {
    const py = fixed(y(tick));
    parts.push(`<line x1="0" y1="${py}" x2="${innerWidth}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="-8" y="${py}" font-size="11" text-anchor="end" dominant-baseline="middle">${Math.round(tick * 100)} %</text>`);
  }
  parts.push(`<text x="${innerWidth / 2}" y="${innerHeight + 38}" font-size="12" text-anchor="middle">pruning ratio (fraction of filters removed per layer)</text>`);
  parts.push(`<text transform="translate(-42,${innerHeight / 2}) rotate(-90)" font-size="12" text-anchor="middle">top-1 on the evaluation images</text>`);
  return parts;
}

function seriesPaths(
  series: ReturnType<typeof sweepSeries>,
  stage: SweepStage,
  x: ReturnType<typeof scaleLinear<number>>,
  y: ReturnType<typeof scaleLinear<number>>,
): string[] {
  const parts: string[] = [];
  for (const { method, points } of series) {
    const colour = methodColor(method);
    if (points.some((point) => point.count > 1)) {
      const band = area<SweepBandPoint>()
        .x((point) => x(point.ratio))
        .y0((point) => y(point.min))
        .y1((point) => y(point.max));
      parts.push(`<path d="${band(points) ?? ''}" fill="${colour}" fill-opacity="${stage === 'before' ? 0.2 : 0.1}" stroke="none"/>`);
    }
    const meanLine = line<SweepBandPoint>()
      .x((point) => x(point.ratio))
      .y((point) => y(point.mean));
    const dash = stage === 'before' ? methodDash(method) : FINETUNED_DASH;
    const width = stage === 'before' ? 2 : 1.5;
    parts.push(`<path d="${meanLine(points) ?? ''}" fill="none" stroke="${colour}" stroke-width="${width}" stroke-dasharray="${dash}"/>`);
  }
  return parts;
}

function legend(before: readonly SweepRow[], innerWidth: number): string[] {
  const methods = sweepSeries(before, 'before').map((series) => series.method);
  const parts = [`<g transform="translate(${innerWidth + 16},0)">`];
  methods.forEach((method, index) => {
    const top = index * 18;
    const seeds = new Set(before.filter((row) => row.method === method).map((row) => row.seed)).size;
    const label = method === 'random' && seeds > 1 ? `random (mean of ${seeds} seeds)` : method;
    parts.push(`<line x1="0" x2="24" y1="${top + 6}" y2="${top + 6}" stroke="${methodColor(method)}" stroke-width="2" stroke-dasharray="${methodDash(method)}"/>`);
    parts.push(`<text x="30" y="${top + 10}" font-size="11">${escapeXml(label)}</text>`);
  });
  const top = methods.length * 18 + 10;
  parts.push(`<text x="0" y="${top + 10}" font-size="11">method's line above:</text>`);
  parts.push(`<text x="0" y="${top + 26}" font-size="11">before fine-tuning</text>`);
  parts.push(`<line x1="0" x2="24" y1="${top + 42}" y2="${top + 42}" stroke="#444" stroke-width="1.5" stroke-dasharray="${FINETUNED_DASH}"/>`);
  parts.push(`<rect x="9" y="${top + 39}" width="6" height="6" fill="#ffffff" stroke="#444"/>`);
  parts.push(`<text x="30" y="${top + 46}" font-size="11">after fine-tuning</text>`);
  parts.push('</g>');
  return parts;
}

function fixed(value: number): string {
  return value.toFixed(2);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
