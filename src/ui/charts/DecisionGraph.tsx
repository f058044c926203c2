// The density peak clustering decision graph: local density ρ on x, distance to a denser filter
// δ on y, one point per filter. React owns the <svg>, and d3 draws everything inside its root group.
import { useEffectEvent, useId, useLayoutEffect, useRef } from 'react';
import {
  axisBottom,
  axisLeft,
  brush,
  color,
  format,
  scaleLinear,
  select,
  symbol,
  symbolDiamond,
  type D3BrushEvent,
  type ScaleLinear,
  type Selection,
} from 'd3';
import { clusterColor } from './palette';
import './charts.css';

export interface DecisionGraphProps {
  rho: Float64Array;
  delta: Float64Array;
  /** Cluster id per filter, an index into `centers`. */
  labels: Int32Array;
  /** Filter indices of the cluster centers. */
  centers: readonly number[];
  /** 1 where the filter is a halo member. */
  halo: Uint8Array;
  /** Planned removals, drawn hollow and crossed. */
  removed?: ReadonlySet<number>;
  /** Filter to emphasise, for example the one hovered in another chart. */
  highlighted?: number | null;
  /** Filters selected in any linked chart, drawn with a ring. */
  selected?: ReadonlySet<number>;
  width?: number;
  height?: number;
  /** Called with the filter index when a point is clicked. */
  onToggleCenter: (filter: number) => void;
  /**
   * Called once when a 2-D brush gesture ends, with the filters inside the selection in
   * ascending order. Called with [] when the user clears the selection by clicking outside it.
   */
  onBrush: (filters: number[]) => void;
  onHover?: (filter: number | null) => void;
}

const MARGIN = { top: 26, right: 26, bottom: 46, left: 60 };
/** Distance in pixels beyond the end of an axis at which infinite values are drawn. */
const INFINITY_GAP = 14;
const CENTER_RADIUS = 6.5;
const EMPTY_SET: ReadonlySet<number> = new Set();
const formatNumber = format('.4~g');

type Group = Selection<SVGGElement, unknown, null, undefined>;
type Scale = ScaleLinear<number, number>;

/**
 * Returns an axis domain that fits the finite values, padded by 5 % of their span on each side
 * so no point is drawn on the frame. The domain does not reach down to 0: on trained layers the
 * filters crowd into a small corner of a plot that starts at the origin. Equal values get a
 * domain of width 1 around them, and no finite value at all gives [0, 1].
 */
export function axisDomain(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (hi === lo) return [lo - 0.5, lo + 0.5];
  const pad = 0.05 * (hi - lo);
  return [lo - pad, hi + pad];
}

/**
 * Returns the pixel at which v is drawn along an axis whose pixel range runs from range[0] (the
 * start) to range[1] (the end). +Infinity goes `gap` pixels beyond the end, outside the plot, so
 * it cannot be mistaken for the largest finite value. −Infinity and NaN go to the start.
 */
export function pixelOf(v: number, scale: (value: number) => number, range: readonly [number, number], gap: number): number {
  if (Number.isFinite(v)) return scale(v);
  if (v === Infinity) return range[1] + Math.sign(range[1] - range[0]) * gap;
  return range[0];
}

/** Splits text at spaces into lines of at most maxChars characters. A longer word gets a line of its own. */
export function wrapWords(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Formats ρ, δ or γ for a tooltip, spelling out the non-finite cases. */
export function formatStatistic(v: number): string {
  if (Number.isNaN(v)) return 'not a number (drawn at the start of the axis)';
  if (v === Infinity) return '∞ (drawn past the end of the axis)';
  if (v === -Infinity) return '−∞ (drawn at the start of the axis)';
  return formatNumber(v);
}

/** Returns a message when the per-filter arrays differ in length, or null when they agree. */
export function lengthMismatch(props: Pick<DecisionGraphProps, 'rho' | 'delta' | 'labels' | 'halo'>): string | null {
  const n = props.rho.length;
  if (props.delta.length === n && props.labels.length === n && props.halo.length === n) return null;
  return `Cannot draw the decision graph: ρ has ${n} values, δ ${props.delta.length}, labels ${props.labels.length}, halo ${props.halo.length}.`;
}

interface PointData {
  filter: number;
  x: number;
  y: number;
  isCenter: boolean;
  label: number;
  /** Whether label is an index into the centers. */
  hasCluster: boolean;
  halo: boolean;
  removed: boolean;
}

function pointTitle(p: PointData, rho: number, delta: number): string {
  const cluster = p.hasCluster ? `cluster ${p.label}` : 'no cluster';
  const flags = [p.isCenter ? 'center' : '', p.halo ? 'halo' : '', p.removed ? 'removed' : ''].filter(Boolean);
  const head = [`Filter #${p.filter}`, cluster, ...flags].join(' · ');
  const gamma = rho * delta;
  return `${head}\nρ = ${formatStatistic(rho)}\nδ = ${formatStatistic(delta)}\nγ = ${formatStatistic(gamma)}`;
}

function pointRadius(p: PointData, n: number): number {
  if (p.isCenter) return CENTER_RADIUS;
  return n > 256 ? 3 : 4;
}

function drawAxes(root: Group, x: Scale, y: Scale, innerWidth: number, innerHeight: number): void {
  root
    .append('g')
    .attr('class', 'dg-axis dg-axis-x')
    .attr('transform', `translate(0,${innerHeight})`)
    .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerWidth / 80))));
  root
    .append('g')
    .attr('class', 'dg-axis dg-axis-y')
    .call(axisLeft(y).ticks(Math.max(2, Math.floor(innerHeight / 50))));
  root
    .append('text')
    .attr('class', 'dg-axis-label')
    .attr('x', innerWidth / 2)
    .attr('y', innerHeight + 38)
    .attr('text-anchor', 'middle')
    .text('ρ (local density)');
  root
    .append('text')
    .attr('class', 'dg-axis-label')
    .attr('transform', `translate(${-46},${innerHeight / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text('δ (distance to a denser filter)');
}

export function DecisionGraph(props: DecisionGraphProps) {
  const { rho, delta, labels, centers, halo, removed = EMPTY_SET, highlighted = null, selected = EMPTY_SET } = props;
  const { width = 480, height = 360 } = props;
  const rootRef = useRef<SVGGElement>(null);
  const titleId = useId();
  const descId = useId();

  const toggleCenter = useEffectEvent((filter: number) => props.onToggleCenter(filter));
  const brushEnded = useEffectEvent((filters: number[]) => props.onBrush(filters));
  const hover = useEffectEvent((filter: number | null) => props.onHover?.(filter));

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();

    const innerWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
    const innerHeight = Math.max(10, height - MARGIN.top - MARGIN.bottom);
    const mismatch = lengthMismatch({ rho, delta, labels, halo });
    const n = mismatch === null ? rho.length : 0;
    const x = scaleLinear().domain(axisDomain(rho.subarray(0, n))).nice().range([0, innerWidth]);
    const y = scaleLinear().domain(axisDomain(delta.subarray(0, n))).nice().range([innerHeight, 0]);
    drawAxes(root, x, y, innerWidth, innerHeight);
    if (n === 0) {
      drawMessage(root, mismatch ?? 'No filters to show.', innerWidth, innerHeight);
      return;
    }
    drawInfinityGuides(root, rho.includes(Infinity), delta.includes(Infinity), innerWidth, innerHeight);

    const centerSet = new Set(centers);
    const points: PointData[] = [];
    for (let i = 0; i < n; i++) {
      points.push({
        filter: i,
        x: pixelOf(rho[i], x, [0, innerWidth], INFINITY_GAP),
        y: pixelOf(delta[i], y, [innerHeight, 0], INFINITY_GAP),
        isCenter: centerSet.has(i),
        label: labels[i],
        hasCluster: labels[i] >= 0 && labels[i] < centers.length,
        halo: halo[i] === 1,
        removed: removed.has(i),
      });
    }

    // The brush overlay goes below the points, so a click on a point reaches the point.
    // forwardDragsToBrush still lets a brush start on a point.
    const brushGroup = root.append('g').attr('class', 'dg-brush');
    const pointGroup = root.append('g').attr('class', 'dg-points');
    const markerGroup = root.append('g').attr('class', 'dg-markers');
    root.append('g').attr('class', 'dg-highlight');

    const brushExtent: [[number, number], [number, number]] = [
      [0, -INFINITY_GAP - 4],
      [innerWidth + INFINITY_GAP + 4, innerHeight],
    ];
    attachBrush(brushGroup, brushExtent, points, brushEnded);
    const circles = drawPoints(pointGroup, points, rho, delta);
    const dragState = forwardDragsToBrush(circles, brushGroup.select<SVGRectElement>('rect.overlay').node());
    circles
      .on('click', (_event, p) => {
        if (!dragState.dragged) toggleCenter(p.filter);
      })
      .on('mouseenter', (_event, p) => hover(p.filter))
      .on('mouseleave', () => hover(null));
    drawMarkers(markerGroup, points, n);
  }, [rho, delta, labels, centers, halo, removed, width, height]);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const layer = select(rootRef.current).select<SVGGElement>('g.dg-highlight');
    layer.selectAll('*').remove();
    drawSelection(rootRef.current, layer, selected);
    if (highlighted === null) return;
    const target = select(rootRef.current).select<SVGCircleElement>(`circle.dg-point[data-filter="${highlighted}"]`);
    if (target.empty()) return;
    layer
      .append('circle')
      .attr('class', 'dg-highlight-ring')
      .attr('cx', target.attr('cx'))
      .attr('cy', target.attr('cy'))
      .attr('r', Number(target.attr('r')) + 4);
  }, [highlighted, selected, rho, delta, labels, centers, halo, removed, width, height]);

  const n = rho.length;
  // The focused graph takes the up and down arrow keys to move the highlight from filter to
  // filter and Enter to toggle the highlighted filter as a center. Brushing still needs a pointer.
  const onKeyDown = (event: React.KeyboardEvent<SVGSVGElement>) => {
    if (n === 0) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      props.onHover?.(highlighted === null ? 0 : (highlighted + step + n) % n);
    } else if ((event.key === 'Enter' || event.key === ' ') && highlighted !== null) {
      props.onToggleCenter(highlighted);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <svg
      className="peakprune-chart decision-graph"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      role="img"
      aria-labelledby={titleId}
      aria-describedby={descId}
    >
      <title id={titleId}>Decision graph: ρ (local density) against δ (distance to a denser filter)</title>
      <desc id={descId}>
        {`${n} filters in ${centers.length} clusters; centers are filters ${centers.map((c) => `#${c}`).join(', ') || 'none'}. ` +
          'Click a point to make it a center or not; drag over the plot to select filters. ' +
          'With the graph focused, the up and down arrow keys move the highlight from filter to filter and Enter toggles the highlighted filter as a center.'}
      </desc>
      <g ref={rootRef} transform={`translate(${MARGIN.left},${MARGIN.top})`} />
    </svg>
  );
}

type PointSelection = Selection<SVGCircleElement, PointData, SVGGElement, unknown>;

/** Marks the selected points with data-selected and draws a ring around each in the highlight layer. */
function drawSelection(root: SVGGElement, layer: Group, selected: ReadonlySet<number>): void {
  const circles = select(root).selectAll<SVGCircleElement, PointData>('circle.dg-point');
  circles.attr('data-selected', (p) => String(selected.has(p.filter)));
  circles
    .filter((p) => selected.has(p.filter))
    .each(function () {
      const circle = select(this);
      layer
        .append('circle')
        .attr('class', 'dg-selected-ring')
        .attr('cx', circle.attr('cx'))
        .attr('cy', circle.attr('cy'))
        .attr('r', Number(circle.attr('r')) + 3);
    });
}

/** Draws one circle per filter, halo points first and centers last so the important points are on top. */
function drawPoints(group: Group, points: readonly PointData[], rho: Float64Array, delta: Float64Array): PointSelection {
  const n = points.length;
  const drawOrder = [...points].sort((a, b) => rank(a) - rank(b) || a.filter - b.filter);
  const colourOf = (p: PointData) => clusterColor(p.hasCluster ? p.label : -1);
  const circles = group
    .selectAll<SVGCircleElement, PointData>('circle')
    .data(drawOrder)
    .join('circle')
    .attr('class', (p) => `dg-point${p.isCenter ? ' is-center' : ''}${p.halo ? ' is-halo' : ''}${p.removed ? ' is-removed' : ''}`)
    .attr('data-filter', (p) => p.filter)
    .attr('data-cluster', (p) => p.label)
    .attr('data-center', (p) => String(p.isCenter))
    .attr('data-halo', (p) => String(p.halo))
    .attr('data-removed', (p) => String(p.removed))
    .attr('cx', (p) => p.x)
    .attr('cy', (p) => p.y)
    .attr('r', (p) => pointRadius(p, n))
    .attr('fill', (p) => (p.removed ? 'var(--chart-background, #fff)' : colourOf(p)))
    .attr('stroke', (p) => strokeOf(p, colourOf(p)));
  circles.append('title').text((p) => pointTitle(p, rho[p.filter], delta[p.filter]));
  return circles;
}

/** Draws a dashed guide and an ∞ label where infinite ρ or δ values are placed, past the axis end. */
function drawInfinityGuides(root: Group, rhoInfinite: boolean, deltaInfinite: boolean, innerWidth: number, innerHeight: number): void {
  if (deltaInfinite) {
    root.append('line').attr('class', 'dg-infinity').attr('x1', 0).attr('x2', innerWidth).attr('y1', -INFINITY_GAP).attr('y2', -INFINITY_GAP);
    root.append('text').attr('class', 'dg-infinity-label').attr('x', -9).attr('y', -INFINITY_GAP).attr('dy', '0.32em').attr('text-anchor', 'end').text('∞');
  }
  if (rhoInfinite) {
    const at = innerWidth + INFINITY_GAP;
    root.append('line').attr('class', 'dg-infinity').attr('x1', at).attr('x2', at).attr('y1', 0).attr('y2', innerHeight);
    root.append('text').attr('class', 'dg-infinity-label').attr('x', at).attr('y', innerHeight + 18).attr('text-anchor', 'middle').text('∞');
  }
}

/** Writes a message in the middle of the plot, wrapped to its width. */
function drawMessage(root: Group, message: string, innerWidth: number, innerHeight: number): void {
  const lines = wrapWords(message, Math.max(12, Math.floor(innerWidth / 6.5)));
  const text = root
    .append('text')
    .attr('class', 'dg-message')
    .attr('text-anchor', 'middle')
    .attr('y', innerHeight / 2 - ((lines.length - 1) * 14) / 2);
  lines.forEach((line, i) => text.append('tspan').attr('x', innerWidth / 2).attr('dy', i === 0 ? 0 : 14).text(line));
}

/** Outline colour: black for centers, the cluster colour around hollow removed points, else a darker shade. */
function strokeOf(p: PointData, colour: string): string {
  if (p.isCenter) return '#000';
  if (p.removed) return colour;
  return darker(colour);
}

function rank(p: PointData): number {
  if (p.isCenter) return 2;
  return p.halo ? 0 : 1;
}

function darker(colour: string): string {
  return color(colour)?.darker(0.8).formatHex() ?? '#333';
}

/** Draws the diamond around each center and the cross over each removed filter. Neither takes pointer events. */
function drawMarkers(group: Group, points: readonly PointData[], n: number): void {
  const halfDiagonal = CENTER_RADIUS + 4.5;
  const diamond = symbol(symbolDiamond, 2 * halfDiagonal * halfDiagonal)() ?? '';
  group
    .selectAll('path.dg-center-mark')
    .data(points.filter((p) => p.isCenter))
    .join('path')
    .attr('class', 'dg-center-mark')
    .attr('d', diamond)
    .attr('transform', (p) => `translate(${p.x},${p.y})`);
  group
    .selectAll('path.dg-removed-mark')
    .data(points.filter((p) => p.removed))
    .join('path')
    .attr('class', 'dg-removed-mark')
    .attr('d', (p) => {
      const s = pointRadius(p, n) + 1;
      return `M${-s},${-s}L${s},${s}M${-s},${s}L${s},${-s}`;
    })
    .attr('transform', (p) => `translate(${p.x},${p.y})`);
}

/**
 * Lets a brush gesture start on a point. The points lie above the brush overlay so that clicks
 * reach them, which would otherwise stop a drag that starts on a point. Once the pointer has
 * moved 3 pixels with the button held, a mousedown at the starting position is sent to the
 * overlay, and d3-brush follows the rest of the gesture through its window listeners. The
 * returned state lets the click handler know that the last press was a drag.
 */
function forwardDragsToBrush(circles: PointSelection, overlay: SVGRectElement | null): { dragged: boolean } {
  const state = { dragged: false };
  circles.on('mousedown.forward', (down: MouseEvent) => {
    state.dragged = false;
    const view = down.view;
    if (down.button !== 0 || overlay === null || view === null) return;
    const stop = () => {
      view.removeEventListener('mousemove', move, true);
      view.removeEventListener('mouseup', stop, true);
    };
    const move = (event: MouseEvent) => {
      if (Math.hypot(event.clientX - down.clientX, event.clientY - down.clientY) < 3) return;
      stop();
      state.dragged = true;
      const init = { bubbles: true, cancelable: true, view, button: 0, clientX: down.clientX, clientY: down.clientY };
      overlay.dispatchEvent(new MouseEvent('mousedown', init));
      view.dispatchEvent(new MouseEvent('mousemove', { ...init, clientX: event.clientX, clientY: event.clientY }));
    };
    view.addEventListener('mousemove', move, true);
    view.addEventListener('mouseup', stop, true);
  });
  return state;
}

function attachBrush(
  group: Group,
  extent: [[number, number], [number, number]],
  points: readonly PointData[],
  onEnd: (filters: number[]) => void,
): void {
  const behaviour = brush<unknown>()
    .extent(extent)
    .on('end', (event: D3BrushEvent<unknown>) => {
      // Programmatic moves carry no source event, so only a user's gesture reports a selection.
      if (!event.sourceEvent) return;
      const selection = event.selection as [[number, number], [number, number]] | null;
      if (selection === null) {
        onEnd([]);
        return;
      }
      const [[x0, y0], [x1, y1]] = selection;
      const inside = points.filter((p) => p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1).map((p) => p.filter);
      onEnd(inside);
    });
  group.call(behaviour);
}
