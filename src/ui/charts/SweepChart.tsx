// Method comparison: top-1 against the pruning ratio, the parameters kept or the FLOPs kept, one
// line per method. The random method is drawn as a band from the minimum to the maximum over its
// seeds with its mean as the line. Every measured row is a point carrying data-method,
// data-ratio, data-seed and data-top1. Colours and dashes are set as attributes, not CSS, so the
// serialised SVG looks the same as the page.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { area, axisBottom, axisLeft, format, line, max, pointer, scaleLinear, select } from 'd3';

import type { SweepRow } from '../../core/sweep';
import type { PruneMethod } from '../../core/types';
import { PRUNE_METHODS } from '../../core/criteria';
import { formatCount, formatPercent } from '../format';
import { axisValue, sweepSeries, type SweepAxis } from '../sweep-export';
import { CLUSTER_COLORS, UNASSIGNED_COLOR } from './palette';

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

/** Dash pattern per method, in PRUNE_METHODS order, so lines differ without colour. */
const DASHES: readonly string[] = ['', '6 3', '2 3', '8 3 2 3', '', '12 4', '4 2 1 2', '1 2'];

const AXIS_LABELS: Record<SweepAxis, string> = {
  ratio: 'pruning ratio (fraction of filters removed per layer)',
  params: 'parameters kept',
  flops: 'FLOPs kept',
};

/** Returns a method's colour: the colour-blind-safe palette in PRUNE_METHODS order, grey for the eighth. */
export function methodColor(method: PruneMethod): string {
  const index = PRUNE_METHODS.indexOf(method);
  return index >= 0 && index < CLUSTER_COLORS.length ? CLUSTER_COLORS[index] : UNASSIGNED_COLOR;
}

/** Returns a method's dash pattern for stroke-dasharray; '' is a solid line. */
export function methodDash(method: PruneMethod): string {
  return DASHES[PRUNE_METHODS.indexOf(method)] ?? '';
}

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
    for (const { method, points } of series) {
      const colour = methodColor(method);
      const group = root.append('g').attr('class', 'sc-series').attr('data-method', method);
      if (points.some((point) => point.count > 1)) {
        const band = area<(typeof points)[number]>()
          .x((point) => x(axisValue(point, axis)))
          .y0((point) => y(point.min))
          .y1((point) => y(point.max));
        group.append('path').attr('class', 'sc-band').attr('d', band(points) ?? '').attr('fill', colour).attr('fill-opacity', 0.2).attr('stroke', 'none');
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
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', methodDash(method));
    }

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
        </div>
      )}
    </div>
  );
}
