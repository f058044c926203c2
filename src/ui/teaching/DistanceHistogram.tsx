// Histogram of a layer's pairwise filter distances with the cutoff d_c marked. React owns the
// <svg>, d3 draws inside its root group.
import { useId, useLayoutEffect, useRef } from 'react';
import { axisBottom, axisLeft, bin, format, max, scaleLinear, select } from 'd3';

export interface DistanceHistogramProps {
  /** n × n row-major distances; only pairs i < j are counted. */
  distances: Float64Array;
  n: number;
  dc: number;
  /** Whether to mark d_c (from the density step on). */
  showCutoff: boolean;
  /** Distances from this filter to the others are drawn as ticks under the axis. */
  highlighted: number | null;
  width?: number;
  height?: number;
}

const MARGIN = { top: 16, right: 16, bottom: 40, left: 48 };
const formatDistance = format('.3~g');

/** Returns the n(n−1)/2 distances d_ij with i < j. */
export function upperTriangle(distances: Float64Array, n: number): Float64Array {
  const pairs = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs[k++] = distances[i * n + j];
  return pairs;
}

export function DistanceHistogram({ distances, n, dc, showCutoff, highlighted, width = 420, height = 260 }: DistanceHistogramProps) {
  const rootRef = useRef<SVGGElement>(null);
  const titleId = useId();
  const pairs = n * (n - 1) / 2;

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();
    const innerWidth = width - MARGIN.left - MARGIN.right;
    const innerHeight = height - MARGIN.top - MARGIN.bottom;
    const values = Array.from(upperTriangle(distances, n));
    const x = scaleLinear().domain([0, max(values) ?? 1]).nice().range([0, innerWidth]);
    const bins = bin().domain(x.domain() as [number, number]).thresholds(x.ticks(30))(values);
    const y = scaleLinear().domain([0, max(bins, (b) => b.length) ?? 1]).nice().range([innerHeight, 0]);

    root.append('g').attr('transform', `translate(0,${innerHeight})`).call(axisBottom(x).ticks(6));
    root.append('g').call(axisLeft(y).ticks(4));
    root.append('text').attr('class', 'dg-axis-label').attr('x', innerWidth / 2).attr('y', innerHeight + 34).attr('text-anchor', 'middle').text('distance d_ij between two filters');
    root
      .append('g')
      .selectAll('rect')
      .data(bins)
      .join('rect')
      .attr('class', 'dh-bar')
      .attr('x', (b) => x(b.x0 ?? 0) + 0.5)
      .attr('width', (b) => Math.max(0, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
      .attr('y', (b) => y(b.length))
      .attr('height', (b) => innerHeight - y(b.length));

    if (highlighted !== null && highlighted >= 0 && highlighted < n) {
      const row = Array.from(distances.subarray(highlighted * n, (highlighted + 1) * n)).filter((_, j) => j !== highlighted);
      root
        .append('g')
        .selectAll('line')
        .data(row)
        .join('line')
        .attr('class', 'dh-row-tick')
        .attr('x1', (d) => x(d))
        .attr('x2', (d) => x(d))
        .attr('y1', innerHeight - 8)
        .attr('y2', innerHeight);
    }
    if (showCutoff) {
      root.append('line').attr('class', 'dh-cutoff').attr('data-testid', 'dc-line').attr('x1', x(dc)).attr('x2', x(dc)).attr('y1', 0).attr('y2', innerHeight);
      root.append('text').attr('class', 'dh-cutoff-label').attr('x', x(dc) + 4).attr('y', 10).text(`d_c = ${formatDistance(dc)}`);
    }
  }, [distances, n, dc, showCutoff, highlighted, width, height]);

  return (
    <svg className="peakprune-chart distance-histogram" width={width} height={height} role="img" aria-labelledby={titleId} data-testid="distance-histogram">
      <title id={titleId}>
        {`Histogram of the ${pairs} pairwise filter distances` + (showCutoff ? `; the cutoff d_c is ${formatDistance(dc)}` : '')}
      </title>
      <g ref={rootRef} transform={`translate(${MARGIN.left},${MARGIN.top})`} />
    </svg>
  );
}
