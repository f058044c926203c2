// Method comparison: top-1 against the pruning ratio, the parameters kept or the FLOPs kept, one
// line per method. The random method is drawn as a band from the minimum to the maximum over its
// seeds with its mean as the line. Every measured row is a filled circle (class sc-point)
// carrying data-method, data-ratio, data-seed and data-top1. Rows that were fine-tuned add a
// hollow square (class sc-point-finetuned, the same data attributes with data-top1 holding the
// fine-tuned top-1) on a thinner dashed line of the method's colour. Colours and dashes are set
// as attributes, not CSS, so the serialised SVG looks the same as the page.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { area, axisBottom, axisLeft, format, line, max, pointer, scaleLinear, select } from 'd3';

import type { SweepRow } from '../../core/sweep';
import { formatCount, formatPercent } from '../format';
import { axisValue, methodColor, methodDash, sweepSeries, type SweepAxis, type SweepSeries } from '../sweep-export';

import './sweep-chart.css';

export interface SweepChartProps {
  rows: readonly SweepRow[];
  axis: SweepAxis;
  /** Receives the <svg> element, for the SVG and PNG downloads. */
  svgRef?: RefObject<SVGSVGElement | null>;
  width?: number;
  height?: number;
}

const MARGIN = { top: 16, right: 150, bottom: 42, left: 52 };

/** Dash pattern of every "after fine-tuning" line. */
const FINETUNED_DASH = '3 3';
const FINETUNED_SQUARE = 6;

const AXIS_LABELS: Record<SweepAxis, string> = {
  ratio: 'pruning ratio (fraction of filters removed per layer)',
  params: 'parameters kept',
  flops: 'FLOPs kept',
};

export function SweepChart({ rows, axis, svgRef, width = 660, height = 320 }: SweepChartProps) {
  const rootRef = useRef<SVGGElement>(null);
  const [hovered, setHovered] = useState<{ row: SweepRow; x: number; y: number } | null>(null);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();
    const innerWidth = width - MARGIN.left - MARGIN.right;
    const innerHeight = height - MARGIN.top - MARGIN.bottom;
    if (rows.length === 0) {
      root.append('text').attr('x', innerWidth / 2).attr('y', innerHeight / 2).attr('text-anchor', 'middle').attr('fill', '#666').text('No prunings measured yet');
      return;
    }

    const xMax = max(rows, (row) => axisValue(row, axis)) ?? 1;
    const x = scaleLinear().domain([0, xMax > 0 ? xMax : 1]).range([0, innerWidth]).nice();
    const y = scaleLinear().domain([0, 1]).range([innerHeight, 0]);
    const xFormat = axis === 'ratio' ? format('.1f') : format('.2s');
    root.append('g').attr('transform', `translate(0,${innerHeight})`).attr('font-size', 11).call(axisBottom(x).ticks(6, xFormat));
    root.append('g').attr('font-size', 11).call(axisLeft(y).ticks(5, format('.0%')));
    root.append('text').attr('x', innerWidth / 2).attr('y', innerHeight + 36).attr('text-anchor', 'middle').attr('font-size', 12).text(AXIS_LABELS[axis]);
    root.append('text').attr('transform', `translate(-40,${innerHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('font-size', 12).text('top-1');

    const series = sweepSeries(rows);
    const finetunedSeries = sweepSeries(rows, 'finetuned');
    drawSeries(root, series, x, y, axis, false);
    drawSeries(root, finetunedSeries, x, y, axis, true);

    root
      .selectAll('circle.sc-point')
      .data(rows)
      .join('circle')
      .attr('class', 'sc-point')
      .attr('data-testid', 'sweep-point')
      .attr('data-method', (row) => row.method)
      .attr('data-seed', (row) => (row.seed === null ? '' : String(row.seed)))
      .attr('data-ratio', (row) => String(row.ratio))
      .attr('data-top1', (row) => String(row.top1))
      .attr('cx', (row) => x(axisValue(row, axis)))
      .attr('cy', (row) => y(row.top1))
      .attr('r', (row) => (row.seed === null ? 3.5 : 2.5))
      .attr('fill', (row) => methodColor(row.method))
      .attr('stroke', '#222')
      .attr('stroke-width', 0.5)
      .on('mouseenter', (event: MouseEvent, row) => {
        const [px, py] = pointer(event, rootRef.current?.ownerSVGElement);
        setHovered({ row, x: px, y: py });
      })
      .on('mouseleave', () => setHovered(null));

    const half = FINETUNED_SQUARE / 2;
    root
      .selectAll('rect.sc-point-finetuned')
      .data(rows.filter((row) => row.top1Finetuned !== null))
      .join('rect')
      .attr('class', 'sc-point-finetuned')
      .attr('data-testid', 'sweep-point-finetuned')
      .attr('data-method', (row) => row.method)
      .attr('data-seed', (row) => (row.seed === null ? '' : String(row.seed)))
      .attr('data-ratio', (row) => String(row.ratio))
      .attr('data-top1', (row) => String(row.top1Finetuned))
      .attr('x', (row) => x(axisValue(row, axis)) - half)
      .attr('y', (row) => y(row.top1Finetuned ?? 0) - half)
      .attr('width', FINETUNED_SQUARE)
      .attr('height', FINETUNED_SQUARE)
      .attr('fill', '#ffffff')
      .attr('stroke', (row) => methodColor(row.method))
      .attr('stroke-width', 1.5)
      .on('mouseenter', (event: MouseEvent, row) => {
        const [px, py] = pointer(event, rootRef.current?.ownerSVGElement);
        setHovered({ row, x: px, y: py });
      })
      .on('mouseleave', () => setHovered(null));

    const legend = root.append('g').attr('transform', `translate(${innerWidth + 14},0)`);
    series.forEach(({ method, points }, index) => {
      const entry = legend.append('g').attr('transform', `translate(0,${index * 18})`);
      entry
        .append('line')
        .attr('x1', 0)
        .attr('x2', 24)
        .attr('y1', 6)
        .attr('y2', 6)
        .attr('stroke', methodColor(method))
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', methodDash(method));
      const seeds = Math.max(...points.map((point) => point.count));
      const label = seeds > 1 ? `${method} (${seeds} seeds)` : method;
      entry.append('text').attr('x', 30).attr('y', 10).attr('font-size', 11).text(label);
    });
    if (finetunedSeries.length > 0) drawStageLegend(legend, series.length * 18 + 8);
  }, [rows, axis, width, height]);

  return (
    <div className="sweep-chart-frame">
      <svg
        ref={svgRef}
        className="peakprune-chart sweep-chart"
        width={width}
        height={height}
        role="img"
        aria-label="Top-1 of each pruning method against the pruning ratio, parameters or FLOPs"
        data-testid="sweep-chart"
        fontFamily="sans-serif"
      >
        <rect width={width} height={height} fill="#ffffff" />
        <g ref={rootRef} transform={`translate(${MARGIN.left},${MARGIN.top})`} />
      </svg>
      {hovered !== null && (
        <div className="sweep-tooltip" role="tooltip" data-testid="sweep-tooltip" style={{ left: hovered.x + 12, top: hovered.y + 12 }}>
          <strong>{hovered.row.method}</strong>
          {hovered.row.seed === null ? '' : ` seed ${hovered.row.seed}`}
          <br />
          ratio {hovered.row.ratio}
          <br />
          params {formatCount(hovered.row.params)}
          <br />
          FLOPs {formatCount(hovered.row.flops)}
          <br />
          top-1 {formatPercent(hovered.row.top1, 2)}
          {hovered.row.top1Finetuned !== null && (
            <>
              <br />
              after fine-tuning {formatPercent(hovered.row.top1Finetuned, 2)}
            </>
          )}
        </div>
      )}
    </div>
  );
}

type Scale = (value: number) => number;
type Group = ReturnType<typeof select<SVGGElement, unknown>>;

/**
 * Draws each method's mean line and, where a ratio has several seeds, its min–max band. The
 * fine-tuned stage uses the method's colour with the common dash and a thinner stroke.
 */
function drawSeries(root: Group, series: readonly SweepSeries[], x: Scale, y: Scale, axis: SweepAxis, finetuned: boolean): void {
  for (const { method, points } of series) {
    const colour = methodColor(method);
    const group = root
      .append('g')
      .attr('class', finetuned ? 'sc-series-finetuned' : 'sc-series')
      .attr('data-method', method);
    if (points.some((point) => point.count > 1)) {
      const band = area<(typeof points)[number]>()
        .x((point) => x(axisValue(point, axis)))
        .y0((point) => y(point.min))
        .y1((point) => y(point.max));
      group
        .append('path')
        .attr('class', 'sc-band')
        .attr('d', band(points) ?? '')
        .attr('fill', colour)
        .attr('fill-opacity', finetuned ? 0.1 : 0.2)
        .attr('stroke', 'none');
    }
    const meanLine = line<(typeof points)[number]>()
      .x((point) => x(axisValue(point, axis)))
      .y((point) => y(point.mean));
    group
      .append('path')
      .attr('class', 'sc-line')
      .attr('d', meanLine(points) ?? '')
      .attr('fill', 'none')
      .attr('stroke', colour)
      .attr('stroke-width', finetuned ? 1.5 : 2)
      .attr('stroke-dasharray', finetuned ? FINETUNED_DASH : methodDash(method));
  }
}

/** Adds the legend entries of the two stages, before and after fine-tuning, below the method entries. */
function drawStageLegend(legend: Group, top: number): void {
  const stages = [
    { label: 'before fine-tuning', finetuned: false },
    { label: 'after fine-tuning', finetuned: true },
  ];
  stages.forEach(({ label, finetuned }, index) => {
    const entry = legend.append('g').attr('transform', `translate(0,${top + index * 18})`);
    if (finetuned) {
      entry.append('line').attr('x1', 0).attr('x2', 24).attr('y1', 6).attr('y2', 6).attr('stroke', '#444').attr('stroke-width', 1.5).attr('stroke-dasharray', FINETUNED_DASH);
      entry.append('rect').attr('x', 9).attr('y', 3).attr('width', FINETUNED_SQUARE).attr('height', FINETUNED_SQUARE).attr('fill', '#ffffff').attr('stroke', '#444');
    } else {
      entry.append('circle').attr('cx', 12).attr('cy', 6).attr('r', 3.5).attr('fill', '#444');
    }
    entry.append('text').attr('x', 30).attr('y', 10).attr('font-size', 11).text(label);
  });
}
