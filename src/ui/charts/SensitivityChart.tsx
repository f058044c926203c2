// Per-layer sensitivity: top-1 against the ratio of one layer's filters removed, one line per
// layer, with the unpruned top-1 (class sens-baseline, data-top1) and the accuracy-drop limit as
// horizontal lines. Every measured row is a point (class sens-point) carrying data-layer,
// data-ratio and data-top1. Colours and
// dashes are SVG attributes, so the downloaded SVG and PNG match the page.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { axisBottom, axisLeft, format, line, max, pointer, scaleLinear, select } from 'd3';

import type { SensitivityRow } from '../../core/sensitivity';
import { formatCount, formatPercent } from '../format';
import { CLUSTER_COLORS } from './palette';

import './sensitivity-chart.css';

export interface SensitivityChartProps {
  rows: readonly SensitivityRow[];
  /** Analysed layers in network order; the legend and colours follow it. */
  layers: readonly string[];
  /** Unpruned top-1; the reference line is left out while it is unknown. */
  baseline?: number;
  /** Accuracy-drop limit as a fraction; the limit line is left out when undefined. */
  maxDrop?: number;
  svgRef?: RefObject<SVGSVGElement | null>;
  width?: number;
  height?: number;
}

const MARGIN = { top: 16, right: 120, bottom: 42, left: 52 };
/** Dash patterns cycled after the seven palette colours, so an eighth layer still differs from the first. */
const DASHES: readonly string[] = ['', '6 3', '2 3'];

/** Returns a layer's colour and dash pattern from its position in network order. */
export function layerStyle(index: number): { colour: string; dash: string } {
  const colour = CLUSTER_COLORS[index % CLUSTER_COLORS.length];
  const dash = DASHES[Math.floor(index / CLUSTER_COLORS.length) % DASHES.length];
  return { colour, dash };
}

export function SensitivityChart({ rows, layers, baseline, maxDrop, svgRef, width = 600, height = 320 }: SensitivityChartProps) {
  const rootRef = useRef<SVGGElement>(null);
  const [hovered, setHovered] = useState<{ row: SensitivityRow; x: number; y: number } | null>(null);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();
    const innerWidth = width - MARGIN.left - MARGIN.right;
    const innerHeight = height - MARGIN.top - MARGIN.bottom;
    if (rows.length === 0) {
      root.append('text').attr('x', innerWidth / 2).attr('y', innerHeight / 2).attr('text-anchor', 'middle').attr('fill', '#666').text('No layer measured yet');
      return;
    }

    const x = scaleLinear().domain([0, Math.max(max(rows, (row) => row.ratio) ?? 1, 0.1)]).range([0, innerWidth]).nice();
    const y = scaleLinear().domain([0, 1]).range([innerHeight, 0]);
    root.append('g').attr('transform', `translate(0,${innerHeight})`).attr('font-size', 11).call(axisBottom(x).ticks(6, format('.1f')));
    root.append('g').attr('font-size', 11).call(axisLeft(y).ticks(5, format('.0%')));
    root.append('text').attr('x', innerWidth / 2).attr('y', innerHeight + 36).attr('text-anchor', 'middle').attr('font-size', 12).text('ratio of the one pruned layer');
    root.append('text').attr('transform', `translate(-40,${innerHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('font-size', 12).text('top-1');

    if (baseline !== undefined) {
      drawLevel(root, y(baseline), innerWidth, '#444', '4 3', 'unpruned', 'sens-baseline', 'above').attr('data-top1', String(baseline));
      if (maxDrop !== undefined) drawLevel(root, y(Math.max(0, baseline - maxDrop)), innerWidth, '#D55E00', '1 3', 'limit', 'sens-limit', 'below');
    }

    const styleOf = (layer: string) => layerStyle(Math.max(0, layers.indexOf(layer)));
    const measured = layers.filter((layer) => rows.some((row) => row.layer === layer));
    const path = line<{ ratio: number; top1: number }>()
      .x((point) => x(point.ratio))
      .y((point) => y(point.top1));
    for (const layer of measured) {
      // Ratio 0 leaves the model unpruned, so each line starts at the unpruned top-1 when it is known.
      const start = baseline === undefined ? [] : [{ ratio: 0, top1: baseline }];
      const points = [...start, ...rows.filter((row) => row.layer === layer && row.ratio > 0).sort((a, b) => a.ratio - b.ratio)];
      const { colour, dash } = styleOf(layer);
      root
        .append('path')
        .attr('class', 'sens-line')
        .attr('data-layer', layer)
        .attr('d', path(points) ?? '')
        .attr('fill', 'none')
        .attr('stroke', colour)
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', dash);
    }

    root
      .selectAll('circle.sens-point')
      .data(rows)
      .join('circle')
      .attr('class', 'sens-point')
      .attr('data-testid', 'sensitivity-point')
      .attr('data-layer', (row) => row.layer)
      .attr('data-ratio', (row) => String(row.ratio))
      .attr('data-top1', (row) => String(row.top1))
      .attr('cx', (row) => x(row.ratio))
      .attr('cy', (row) => y(row.top1))
      .attr('r', 3.5)
      .attr('fill', (row) => styleOf(row.layer).colour)
      .attr('stroke', '#222')
      .attr('stroke-width', 0.5)
      .on('mouseenter', (event: MouseEvent, row) => {
        const [px, py] = pointer(event, rootRef.current?.ownerSVGElement);
        setHovered({ row, x: px, y: py });
      })
      .on('mouseleave', () => setHovered(null));

    const legend = root.append('g').attr('transform', `translate(${innerWidth + 14},0)`);
    measured.forEach((layer, index) => {
      const { colour, dash } = styleOf(layer);
      const entry = legend.append('g').attr('transform', `translate(0,${index * 18})`);
      entry.append('line').attr('x1', 0).attr('x2', 24).attr('y1', 6).attr('y2', 6).attr('stroke', colour).attr('stroke-width', 2).attr('stroke-dasharray', dash);
      entry.append('text').attr('x', 30).attr('y', 10).attr('font-size', 11).text(layer);
    });
  }, [rows, layers, baseline, maxDrop, width, height]);

  return (
    <div className="sensitivity-chart-frame">
      <svg
        ref={svgRef}
        className="peakprune-chart sensitivity-chart"
        width={width}
        height={height}
        role="img"
        aria-label="Top-1 with one layer pruned, against that layer's pruning ratio, one line per layer"
        data-testid="sensitivity-chart"
        fontFamily="sans-serif"
      >
        <rect width={width} height={height} fill="#ffffff" />
        <g ref={rootRef} transform={`translate(${MARGIN.left},${MARGIN.top})`} />
      </svg>
      {hovered !== null && (
        <div className="sensitivity-tooltip" role="tooltip" data-testid="sensitivity-tooltip" style={{ left: hovered.x + 12, top: hovered.y + 12 }}>
          <strong>{hovered.row.layer}</strong> at ratio {hovered.row.ratio}
          <br />
          top-1 {formatPercent(hovered.row.top1, 2)}
          {baseline !== undefined && ` (drop ${((baseline - hovered.row.top1) * 100).toFixed(2)} points)`}
          <br />
          params {formatCount(hovered.row.params)}
          <br />
          FLOPs {formatCount(hovered.row.flops)}
        </div>
      )}
    </div>
  );
}

type Group = ReturnType<typeof select<SVGGElement, unknown>>;

/**
 * Draws a horizontal reference line at pixel height `py` and returns it. The label sits above the
 * line's left end or below its right end, so two close lines keep readable labels.
 */
function drawLevel(root: Group, py: number, innerWidth: number, colour: string, dash: string, label: string, className: string, side: 'above' | 'below') {
  const level = root
    .append('line').attr('class', className).attr('x1', 0).attr('x2', innerWidth).attr('y1', py).attr('y2', py).attr('stroke', colour).attr('stroke-dasharray', dash);
  const text = root.append('text').attr('font-size', 10).attr('fill', colour).text(label);
  if (side === 'above') text.attr('x', 4).attr('y', py - 3);
  else text.attr('x', innerWidth - 2).attr('y', py + 11).attr('text-anchor', 'end');
  return level;
}
