// The filter-space map: one point per filter at its 2-D MDS position, drawn with what the
// current walkthrough stage has computed. React owns the <svg>, d3 draws inside its root group.
import { useEffectEvent, useId, useLayoutEffect, useRef } from 'react';
import { brush, interpolateViridis, select, symbol, symbolDiamond, type D3BrushEvent, type Selection } from 'd3';

import { clusterColor } from '../charts/palette';
import type { StageView } from './steps';
import './teaching.css';

export interface FilterMapProps {
  x: Float64Array;
  y: Float64Array;
  rho: Float64Array;
  nearestDenser: Int32Array;
  dc: number;
  /** n × n filter distances; without them the hover draws no neighbourhood. */
  distances?: Float64Array;
  labels: Int32Array;
  centers: readonly number[];
  halo: Uint8Array;
  apoz: Float64Array;
  removed: ReadonlySet<number>;
  view: StageView;
  highlighted: number | null;
  selected: ReadonlySet<number>;
  width?: number;
  height?: number;
  onHover: (filter: number | null) => void;
  /** Called with the filters inside a brushed box, ascending, or [] when the brush is cleared. */
  onSelect: (filters: number[]) => void;
}

type Group = Selection<SVGGElement, unknown, null, undefined>;

const MARGIN = 16;
const GREY = '#bbbbbb';

interface Placed {
  filter: number;
  px: number;
  py: number;
  r: number;
}

/** Maps coordinates into the plot with one scale for both axes, so 2-D distances keep their ratios. */
export function placePoints(x: Float64Array, y: Float64Array, width: number, height: number): { px: Float64Array; py: Float64Array } {
  const n = x.length;
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, x[i]);
    maxX = Math.max(maxX, x[i]);
    minY = Math.min(minY, y[i]);
    maxY = Math.max(maxY, y[i]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = Math.min(width - 2 * MARGIN, height - 2 * MARGIN) / span;
  const offsetX = (width - scale * (maxX - minX)) / 2;
  const offsetY = (height - scale * (maxY - minY)) / 2;
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = offsetX + scale * (x[i] - minX);
    // SVG's y grows downwards; flipping keeps the usual orientation of the first two axes.
    py[i] = height - offsetY - scale * (y[i] - minY);
  }
  return { px, py };
}

/** Point radius: 4 px before ρ is known, then 3 to 10 px from the least to the most dense filter of the layer. */
function radiusOf(rho: number, range: readonly [number, number], view: StageView): number {
  const [low, high] = range;
  if (!view.density || !(high > low) || !Number.isFinite(high - low) || !Number.isFinite(rho)) return 4;
  return 3 + (7 * (rho - low)) / (high - low);
}

export function FilterMap(props: FilterMapProps) {
  const { x, y, rho, nearestDenser, dc, distances, labels, centers, halo, apoz, removed, view, highlighted, selected } = props;
  const { width = 420, height = 360 } = props;
  const rootRef = useRef<SVGGElement>(null);
  const placedRef = useRef<Placed[]>([]);
  const titleId = useId();
  const descId = useId();
  const hover = useEffectEvent((filter: number | null) => props.onHover(filter));
  const choose = useEffectEvent((filters: number[]) => props.onSelect(filters));
  const n = x.length;

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();
    const { px, py } = placePoints(x, y, width, height);
    const rhoRange = [Math.min(...rho), Math.max(...rho)] as const;
    const placed: Placed[] = Array.from({ length: n }, (_, i) => ({ filter: i, px: px[i], py: py[i], r: radiusOf(rho[i], rhoRange, view) }));
    placedRef.current = placed;

    root.append('defs').html(
      '<marker id="fm-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="fm-arrowhead"/></marker>',
    );
    const brushGroup = root.append('g').attr('class', 'fm-brush');
    if (view.delta && !view.halo) drawArrows(root.append('g').attr('class', 'fm-arrows'), placed, nearestDenser, 'fm-arrow');
    drawPoints(root.append('g').attr('class', 'fm-points'), placed, { labels, centers, halo, apoz, removed, view });
    drawMarkers(root.append('g').attr('class', 'fm-markers'), placed, centers, removed, view);
    root.append('g').attr('class', 'fm-highlight');
    attachBrush(brushGroup, placed, width, height, choose);
    root
      .selectAll<SVGCircleElement, Placed>('circle.fm-point')
      .on('mouseenter', (_event, p) => hover(p.filter))
      .on('mouseleave', () => hover(null))
      .on('click', (_event, p) => choose([p.filter]));
  }, [x, y, rho, nearestDenser, labels, centers, halo, apoz, removed, view, width, height, n]);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const layer = select(rootRef.current).select<SVGGElement>('g.fm-highlight');
    layer.selectAll('*').remove();
    const placed = placedRef.current;
    select(rootRef.current)
      .selectAll<SVGCircleElement, Placed>('circle.fm-point')
      .attr('data-selected', (p) => String(selected.has(p.filter)))
      .attr('data-highlighted', (p) => String(p.filter === highlighted));
    for (const filter of selected) {
      const p = placed[filter];
      if (p !== undefined) layer.append('circle').attr('class', 'fm-selected-ring').attr('cx', p.px).attr('cy', p.py).attr('r', p.r + 3);
    }
    if (highlighted === null || placed[highlighted] === undefined) return;
    drawHover(layer, placed, highlighted, { dc, distances, nearestDenser, view });
  }, [highlighted, selected, dc, distances, nearestDenser, view, x, y, rho, labels, centers, halo, apoz, removed, width, height]);

  const onKeyDown = (event: React.KeyboardEvent<SVGSVGElement>) => {
    if (n === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      props.onHover(highlighted === null ? 0 : (highlighted + step + n) % n);
    } else if ((event.key === 'Enter' || event.key === ' ') && highlighted !== null) {
      event.preventDefault();
      props.onSelect([highlighted]);
    } else if (event.key === 'Escape') {
      props.onSelect([]);
    }
  };

  return (
    <svg
      className="peakprune-chart filter-map"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      tabIndex={0}
      role="img"
      aria-labelledby={titleId}
      aria-describedby={descId}
      onKeyDown={onKeyDown}
      data-testid="filter-map-svg"
    >
      <title id={titleId}>Filter map: the filters placed in 2-D by classical MDS of their distances</title>
      <desc id={descId}>
        {`${n} filters. With the map focused, the up and down arrow keys move the highlight from filter to filter, Enter selects the highlighted filter, Escape clears the selection. Drag a box to select several filters.`}
      </desc>
      <g ref={rootRef} />
    </svg>
  );
}

interface PointStyle {
  labels: Int32Array;
  centers: readonly number[];
  halo: Uint8Array;
  apoz: Float64Array;
  removed: ReadonlySet<number>;
  view: StageView;
}

function drawPoints(group: Group, placed: readonly Placed[], style: PointStyle): void {
  const { labels, centers, halo, apoz, removed, view } = style;
  const centerSet = new Set(centers);
  const shownLabel = (i: number) => (view.clusters ? labels[i] : -1);
  const colour = (i: number) => (view.clusters ? clusterColor(labels[i]) : GREY);
  const hollow = (i: number) => (view.halo && halo[i] === 1) || (view.removed && removed.has(i));
  group
    .selectAll('circle')
    .data(placed)
    .join('circle')
    .attr('class', 'fm-point')
    .attr('data-filter', (p) => p.filter)
    .attr('data-cluster', (p) => shownLabel(p.filter))
    .attr('data-center', (p) => String(view.centers && centerSet.has(p.filter)))
    .attr('data-halo', (p) => String(view.halo && halo[p.filter] === 1))
    .attr('data-removed', (p) => String(view.removed && removed.has(p.filter)))
    .attr('cx', (p) => p.px)
    .attr('cy', (p) => p.py)
    .attr('r', (p) => p.r)
    .attr('fill', (p) => (hollow(p.filter) ? 'var(--chart-background, #fff)' : colour(p.filter)))
    .attr('fill-opacity', (p) => (view.apoz && Number.isFinite(apoz[p.filter]) ? 1 - 0.7 * apoz[p.filter] : 1))
    .attr('stroke', (p) => (view.centers && centerSet.has(p.filter) ? '#000' : colour(p.filter) === GREY ? '#777' : colour(p.filter)))
    .attr('stroke-width', 1.5)
    .append('title')
    .text((p) => `Filter #${p.filter}`);
}

function drawMarkers(group: Group, placed: readonly Placed[], centers: readonly number[], removed: ReadonlySet<number>, view: StageView): void {
  if (view.centers) {
    group
      .selectAll('path.fm-center-mark')
      .data(centers.map((c) => placed[c]).filter((p) => p !== undefined))
      .join('path')
      .attr('class', 'fm-center-mark')
      .attr('d', (p) => symbol(symbolDiamond, 2 * (p.r + 5) ** 2)() ?? '')
      .attr('transform', (p) => `translate(${p.px},${p.py})`);
  }
  if (view.removed) {
    group
      .selectAll('path.fm-removed-mark')
      .data(placed.filter((p) => removed.has(p.filter)))
      .join('path')
      .attr('class', 'fm-removed-mark')
      .attr('d', (p) => {
        const s = p.r + 1;
        return `M${-s},${-s}L${s},${s}M${-s},${s}L${s},${-s}`;
      })
      .attr('transform', (p) => `translate(${p.px},${p.py})`);
  }
}

/** Draws an arrow from each filter to its nearest denser filter, stopping at the target's edge. */
function drawArrows(group: Group, placed: readonly Placed[], nearestDenser: Int32Array, className: string, only?: number): void {
  const pairs = placed.filter((p) => (only === undefined || p.filter === only) && nearestDenser[p.filter] >= 0);
  group
    .selectAll(`line.${className}`)
    .data(pairs)
    .join('line')
    .attr('class', className)
    .attr('data-from', (p) => p.filter)
    .attr('data-to', (p) => nearestDenser[p.filter])
    .each(function (p) {
      const target = placed[nearestDenser[p.filter]];
      const length = Math.hypot(target.px - p.px, target.py - p.py) || 1;
      const back = Math.min(length, target.r + 2) / length;
      select(this)
        .attr('x1', p.px)
        .attr('y1', p.py)
        .attr('x2', target.px - (target.px - p.px) * back)
        .attr('y2', target.py - (target.py - p.py) * back)
        .attr('marker-end', 'url(#fm-arrowhead)');
    });
}

interface HoverFacts {
  dc: number;
  distances?: Float64Array;
  nearestDenser: Int32Array;
  view: StageView;
}

/**
 * Draws what explains the hovered filter: at the distance step the others shaded by their
 * distance to it, once ρ is known the lines to its neighbours within d_c, once δ is known the
 * arrow to its nearest denser filter.
 */
function drawHover(layer: Group, placed: readonly Placed[], filter: number, facts: HoverFacts): void {
  const { dc, distances, nearestDenser, view } = facts;
  const n = placed.length;
  const p = placed[filter];
  if (distances !== undefined && distances.length === n * n) {
    const row = distances.subarray(filter * n, (filter + 1) * n);
    if (!view.density) {
      const far = row.reduce((max, d) => Math.max(max, d), 0) || 1;
      layer
        .selectAll('circle.fm-distance-shade')
        .data(placed.filter((q) => q.filter !== filter))
        .join('circle')
        .attr('class', 'fm-distance-shade')
        .attr('cx', (q) => q.px)
        .attr('cy', (q) => q.py)
        .attr('r', (q) => q.r)
        .attr('fill', (q) => interpolateViridis(row[q.filter] / far));
    } else {
      const neighbours = placed.filter((q) => q.filter !== filter && row[q.filter] < dc);
      layer
        .selectAll('line.fm-neighbour')
        .data(neighbours)
        .join('line')
        .attr('class', 'fm-neighbour')
        .attr('data-to', (q) => q.filter)
        .attr('x1', p.px)
        .attr('y1', p.py)
        .attr('x2', (q) => q.px)
        .attr('y2', (q) => q.py);
    }
  }
  if (view.delta) drawArrows(layer, placed, nearestDenser, 'fm-hover-arrow', filter);
  layer.append('circle').attr('class', 'fm-highlight-ring').attr('cx', p.px).attr('cy', p.py).attr('r', p.r + 4);
}

function attachBrush(group: Group, placed: readonly Placed[], width: number, height: number, onEnd: (filters: number[]) => void): void {
  const behaviour = brush<unknown>()
    .extent([
      [0, 0],
      [width, height],
    ])
    .on('end', (event: D3BrushEvent<unknown>) => {
      if (!event.sourceEvent) return;
      const area = event.selection as [[number, number], [number, number]] | null;
      if (area === null) {
        onEnd([]);
        return;
      }
      const [[x0, y0], [x1, y1]] = area;
      onEnd(placed.filter((p) => p.px >= x0 && p.px <= x1 && p.py >= y0 && p.py <= y1).map((p) => p.filter));
      group.call(behaviour.move, null);
    });
  group.call(behaviour);
}
