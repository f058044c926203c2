// The filters of one convolution layer, grouped by cluster, each drawn from its weights as a
// small heat map. React owns every tile and its <canvas>, and one layout effect paints the canvases.
import { useId, useLayoutEffect, useMemo, useRef } from 'react';
import { axisBottom, format, rgb, scaleLinear, select } from 'd3';
import { clusterColor, divergingIndex, divergingInterpolator, divergingLut, maxAbsFinite, MISSING_VALUE_COLOR } from './palette';
import './charts.css';

export interface KernelGridProps {
  /** Kernel weights in tfjs order kh × kw × cin × cout. */
  kernel: Float32Array;
  kernelShape: readonly [number, number, number, number];
  labels: Int32Array;
  centers: readonly number[];
  apoz: Float64Array;
  /** When false, tiles show the mean absolute activation instead of APoZ, and one note states why. */
  apozApplies: boolean;
  meanAbs?: Float64Array;
  removed: ReadonlySet<number>;
  /** Input channel drawn: 'mean' averages the kh × kw weights over input channels, a number selects one channel. */
  channel: 'mean' | number;
  highlighted?: number | null;
  /** Filters selected in any linked chart, marked with data-selected. */
  selected?: ReadonlySet<number>;
  /** Called with the filter index when a tile is clicked, to keep or remove it by hand. */
  onToggleFilter?: (filter: number) => void;
  onHover?: (filter: number | null) => void;
}

/** Filters of one cluster. `cluster` and `center` are null for the filters with no valid label. */
export interface ClusterSection {
  cluster: number | null;
  center: number | null;
  /** Filter indices, the center first and the others ascending. */
  filters: number[];
}

const TILE_PIXELS = 44;
const LUT = divergingLut();
const MISSING_RGB = rgb(MISSING_VALUE_COLOR);
const formatWeight = format('.2~g');
const formatMeanAbs = format('.3~g');

/**
 * Extracts one kh × kw tile per filter, laid out [filter][y][x]. Weight (y, x, c, f) is at
 * ((y·kw + x)·cin + c)·cout + f. With channel 'mean' each tile entry is the mean over the cin
 * input channels, and with a number it is that channel's weight. Precondition: `kernelProblem`
 * returned null.
 */
export function kernelTiles(
  kernel: Float32Array,
  shape: readonly [number, number, number, number],
  channel: 'mean' | number,
): Float64Array {
  const [kh, kw, cin, cout] = shape;
  const area = kh * kw;
  const tiles = new Float64Array(cout * area);
  const firstChannel = channel === 'mean' ? 0 : channel;
  const lastChannel = channel === 'mean' ? cin - 1 : channel;
  // Sums over channels run along contiguous memory (f is the fastest axis of the kernel), and
  // each pixel's sums are then written to the tiles once.
  const sums = new Float64Array(cout);
  for (let pixel = 0; pixel < area; pixel++) {
    sums.fill(0);
    for (let c = firstChannel; c <= lastChannel; c++) {
      const base = (pixel * cin + c) * cout;
      for (let f = 0; f < cout; f++) sums[f] += kernel[base + f];
    }
    for (let f = 0; f < cout; f++) tiles[f * area + pixel] = sums[f];
  }
  if (channel === 'mean') {
    for (let i = 0; i < tiles.length; i++) tiles[i] /= cin;
  }
  return tiles;
}

/** Returns why the grid cannot be drawn from these inputs, or null when they are consistent. */
export function kernelProblem(props: Pick<KernelGridProps, 'kernel' | 'kernelShape' | 'labels' | 'apoz' | 'meanAbs' | 'channel'>): string | null {
  const [kh, kw, cin, cout] = props.kernelShape;
  if (![kh, kw, cin, cout].every((d) => Number.isInteger(d) && d > 0)) {
    return `Cannot draw the filters: the kernel shape [${props.kernelShape.join(', ')}] needs four positive integers.`;
  }
  if (props.kernel.length !== kh * kw * cin * cout) {
    return `Cannot draw the filters: the kernel has ${props.kernel.length} weights but the shape [${kh}, ${kw}, ${cin}, ${cout}] needs ${kh * kw * cin * cout}.`;
  }
  const perFilter: [string, number | undefined][] = [
    ['labels', props.labels.length],
    ['APoZ', props.apoz.length],
    ['mean |a|', props.meanAbs?.length],
  ];
  for (const [name, length] of perFilter) {
    if (length !== undefined && length !== cout) {
      return `Cannot draw the filters: ${name} has ${length} values for ${cout} filters.`;
    }
  }
  const { channel } = props;
  if (channel !== 'mean' && !(Number.isInteger(channel) && channel >= 0 && channel < cin)) {
    return `Input channel ${channel} does not exist; this layer has input channels 0 to ${cin - 1}.`;
  }
  return null;
}

/**
 * Groups filters by cluster label, one section per center in the order of `centers`. Filters
 * whose label is not an index into `centers` go to a last section with a null cluster. Sections
 * without filters are left out.
 */
export function groupByCluster(labels: Int32Array, centers: readonly number[]): ClusterSection[] {
  const members: number[][] = centers.map(() => []);
  const unassigned: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (k >= 0 && k < centers.length) members[k].push(i);
    else unassigned.push(i);
  }
  const sections: ClusterSection[] = members.map((filters, k) => {
    const center = centers[k];
    const ordered = filters.includes(center) ? [center, ...filters.filter((f) => f !== center)] : filters;
    return { cluster: k, center, filters: ordered };
  });
  if (unassigned.length > 0) sections.push({ cluster: null, center: null, filters: unassigned });
  return sections.filter((section) => section.filters.length > 0);
}

/** Formats an APoZ fraction as a percentage with one decimal, or "—" for a non-finite value. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '—';
}

function sectionHeading(section: ClusterSection): string {
  const count = `${section.filters.length} ${section.filters.length === 1 ? 'filter' : 'filters'}`;
  if (section.cluster === null) return `No cluster · ${count}`;
  return `Cluster ${section.cluster} · ${count} · center #${section.center}`;
}

/** Tiles painted per animation frame, which splits the painting of a large layer into short tasks. */
const PAINT_BATCH = 64;

/**
 * Paints the canvas of every tile under root from the precomputed tiles: the first batch at once
 * (a small layer is then complete before the browser paints), the rest one batch per animation
 * frame. Returns a function that stops painting, for when the tiles change before it finishes.
 */
function paintTiles(root: HTMLElement, tiles: Float64Array, kh: number, kw: number, maxAbs: number): () => void {
  const pending = [...root.querySelectorAll<HTMLElement>('.kg-tile[data-filter]')];
  let frame = 0;
  const paintBatch = () => {
    for (const tile of pending.splice(0, PAINT_BATCH)) paintTile(tile, tiles, kh, kw, maxAbs);
    if (pending.length > 0) frame = requestAnimationFrame(paintBatch);
  };
  paintBatch();
  return () => cancelAnimationFrame(frame);
}

function paintTile(tile: HTMLElement, tiles: Float64Array, kh: number, kw: number, maxAbs: number): void {
  const context = tile.querySelector('canvas')?.getContext('2d');
  if (!context) return;
  const area = kh * kw;
  const filter = Number(tile.dataset.filter);
  const image = context.createImageData(kw, kh);
  for (let pixel = 0; pixel < area; pixel++) {
    const index = divergingIndex(tiles[filter * area + pixel], maxAbs);
    if (index < 0) {
      image.data.set([MISSING_RGB.r, MISSING_RGB.g, MISSING_RGB.b, 255], pixel * 4);
    } else {
      image.data.set(LUT.subarray(index * 4, index * 4 + 4), pixel * 4);
    }
  }
  context.putImageData(image, 0, 0);
}

export function KernelGrid(props: KernelGridProps) {
  const { kernel, kernelShape, labels, centers, apoz, apozApplies, meanAbs, removed, channel } = props;
  const { highlighted = null, selected, onToggleFilter, onHover } = props;
  const [kh, kw, cin, cout] = kernelShape;
  const rootRef = useRef<HTMLDivElement>(null);
  const problem = kernelProblem(props);
  const interactive = onToggleFilter !== undefined;

  const tiles = useMemo(
    () => (problem === null ? kernelTiles(kernel, [kh, kw, cin, cout], channel) : new Float64Array(0)),
    [problem, kernel, kh, kw, cin, cout, channel],
  );
  const maxAbs = useMemo(() => maxAbsFinite(tiles), [tiles]);
  const sections = useMemo(() => groupByCluster(labels, centers), [labels, centers]);

  // The tiles depend neither on `highlighted` nor on the callbacks, so a hover elsewhere does not
  // re-render hundreds of tiles. Events are delegated to the root, and an effect sets the highlight.
  const sectionElements = useMemo(() => {
    if (problem !== null) return null;
    const score = (filter: number) => scoreText(apozApplies, apoz, meanAbs, filter);
    return sections.map((section) => (
      <section key={section.cluster ?? 'none'} className="kg-section" style={{ borderLeftColor: clusterColor(section.cluster ?? -1) }}>
        <h4 className="kg-heading">{sectionHeading(section)}</h4>
        <div className="kg-tiles">
          {section.filters.map((filter) => (
            <KernelTile
              key={filter}
              filter={filter}
              section={section}
              kernelSize={[kh, kw]}
              removed={removed.has(filter)}
              score={score(filter)}
              interactive={interactive}
            />
          ))}
        </div>
      </section>
    ));
  }, [problem, sections, kh, kw, removed, apozApplies, apoz, meanAbs, interactive]);

  useLayoutEffect(() => {
    if (rootRef.current !== null && tiles.length > 0) return paintTiles(rootRef.current, tiles, kh, kw, maxAbs);
  }, [tiles, maxAbs, sectionElements, kh, kw]);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    for (const tile of rootRef.current.querySelectorAll('.kg-tile[data-highlighted]')) tile.removeAttribute('data-highlighted');
    if (highlighted === null) return;
    rootRef.current.querySelector(`.kg-tile[data-filter="${highlighted}"]`)?.setAttribute('data-highlighted', 'true');
  }, [highlighted, sectionElements]);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    for (const tile of rootRef.current.querySelectorAll<HTMLElement>('.kg-tile[data-filter]')) {
      if (selected?.has(Number(tile.dataset.filter))) tile.setAttribute('data-selected', 'true');
      else tile.removeAttribute('data-selected');
    }
  }, [selected, sectionElements]);

  if (problem !== null) {
    return (
      <p className="peakprune-chart kg-problem" role="alert">
        {problem}
      </p>
    );
  }

  const filterAt = (target: EventTarget | null): number | null => {
    const tile = target instanceof Element ? target.closest<HTMLElement>('.kg-tile[data-filter]') : null;
    return tile === null ? null : Number(tile.dataset.filter);
  };
  return (
    <div
      ref={rootRef}
      className="peakprune-chart kernel-grid"
      onClick={(event) => {
        const filter = filterAt(event.target);
        if (filter !== null) onToggleFilter?.(filter);
      }}
      onMouseOver={(event) => {
        const filter = filterAt(event.target);
        if (filter !== null) onHover?.(filter);
      }}
      onMouseOut={(event) => {
        if (filterAt(event.relatedTarget) === null) onHover?.(null);
      }}
      onFocus={(event) => onHover?.(filterAt(event.target))}
      onBlur={() => onHover?.(null)}
    >
      <div className="kg-header">
        <KernelLegend maxAbs={maxAbs} channel={channel} />
        {!apozApplies && (
          <p className="kg-note">
            APoZ does not apply to this layer because its activation never outputs exact zeros, so each tile shows
            the mean absolute activation |a| instead.
          </p>
        )}
      </div>
      {sectionElements}
    </div>
  );
}

interface ScoreText {
  /** Text under the tile. */
  short: string;
  /** Text in the tile's title. */
  long: string;
}

/** Text for a filter's score: APoZ, or mean |a| where APoZ does not apply. */
function scoreText(apozApplies: boolean, apoz: Float64Array, meanAbs: Float64Array | undefined, filter: number): ScoreText {
  if (apozApplies) {
    const percent = formatPercent(apoz[filter]);
    return { short: percent, long: `APoZ ${percent}` };
  }
  const value = meanAbs?.[filter];
  const text = value !== undefined && Number.isFinite(value) ? formatMeanAbs(value) : '—';
  return { short: `|a| ${text}`, long: `mean |a| ${text}` };
}

interface KernelTileProps {
  filter: number;
  section: ClusterSection;
  kernelSize: readonly [number, number];
  removed: boolean;
  score: ScoreText;
  /** Whether the tile is a button that keeps or removes the filter. */
  interactive: boolean;
}

function KernelTile({ filter, section, kernelSize, removed, score, interactive }: KernelTileProps) {
  const [kh, kw] = kernelSize;
  const cell = Math.max(1, Math.floor(TILE_PIXELS / Math.max(kh, kw)));
  const isCenter = filter === section.center;
  const className = ['kg-tile', isCenter ? 'is-center' : '', removed ? 'is-removed' : ''].filter(Boolean).join(' ');
  const title = [
    `Filter #${filter}`,
    section.cluster === null ? 'no cluster' : `cluster ${section.cluster}`,
    isCenter ? 'center' : '',
    score.long,
    removed ? 'removed' : 'kept',
  ]
    .filter(Boolean)
    .join(' · ');
  const data = { 'data-filter': filter, 'data-removed': String(removed), 'data-center': String(isCenter) };
  const body = (
    <>
      <span className="kg-canvas-frame">
        <canvas width={kw} height={kh} style={{ width: kw * cell, height: kh * cell }} />
      </span>
      <span className="kg-caption">
        {isCenter ? '★ ' : ''}#{filter}
      </span>
      <span className="kg-score">{score.short}</span>
    </>
  );

  if (!interactive) {
    return (
      <div className={className} {...data} title={title}>
        {body}
      </div>
    );
  }
  const action = removed ? 'keep' : 'remove';
  return (
    <button type="button" className={className} {...data} title={`${title} (click to ${action})`} aria-label={`${title}; activate to ${action} it`}>
      {body}
    </button>
  );
}

/** Colour legend for the shared weight scale, symmetric around 0. */
function KernelLegend({ maxAbs, channel }: { maxAbs: number; channel: 'mean' | number }) {
  const svgRef = useRef<SVGSVGElement>(null);
  const gradientId = `kg-gradient-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const width = 200;
  const quantity = channel === 'mean' ? 'weight, mean over input channels' : `weight, input channel ${channel}`;

  useLayoutEffect(() => {
    if (svgRef.current === null) return;
    const svg = select(svgRef.current);
    svg.selectAll('*').remove();
    const gradient = svg.append('defs').append('linearGradient').attr('id', gradientId);
    for (let i = 0; i <= 10; i++) {
      gradient.append('stop').attr('offset', `${i * 10}%`).attr('stop-color', divergingInterpolator(i / 10));
    }
    // The padding leaves room for the end tick labels, which are centred on the bar's ends.
    const padding = 22;
    svg.append('rect').attr('x', padding).attr('y', 4).attr('width', width - 2 * padding).attr('height', 10).attr('fill', `url(#${gradientId})`);
    const span = maxAbs > 0 ? maxAbs : 1;
    const axis = axisBottom(scaleLinear().domain([-span, span]).range([padding, width - padding]))
      .tickValues(maxAbs > 0 ? [-span, 0, span] : [0])
      .tickFormat((v) => formatWeight(Number(v)))
      .tickSizeOuter(0);
    svg.append('g').attr('transform', 'translate(0,14)').call(axis);
  }, [gradientId, maxAbs]);

  const label = maxAbs > 0 ? quantity : `${quantity}: all weights are 0`;
  return (
    <figure className="kg-legend">
      <svg ref={svgRef} width={width} height={34} role="img" aria-label={`Colour scale from −${formatWeight(maxAbs)} (blue) through 0 (white) to ${formatWeight(maxAbs)} (red)`} />
      <figcaption>{label}; NaN is drawn <span style={{ color: MISSING_VALUE_COLOR }}>grey</span></figcaption>
    </figure>
  );
}
