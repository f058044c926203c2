// Live fine-tuning curves: training-mode loss per batch (line, left axis) and held-out top-1 per
// epoch (dots, right axis, 0–100 %), both against the training step. React owns the <svg>, and
// d3 draws everything inside its root group.
import { useLayoutEffect, useRef } from 'react';
import { axisBottom, axisLeft, axisRight, format, line, max, scaleLinear, select } from 'd3';

import './loss-chart.css';

export interface LossChartProps {
  /** Loss of every batch in order; batch i is drawn at step i + 1. */
  losses: readonly number[];
  /** Held-out top-1 in [0, 1] at the step where each epoch ended; null values are skipped. */
  accuracy: readonly { step: number; value: number | null }[];
  width?: number;
  height?: number;
}

const MARGIN = { top: 16, right: 52, bottom: 40, left: 56 };

export function LossChart({ losses, accuracy, width = 480, height = 220 }: LossChartProps) {
  const rootRef = useRef<SVGGElement>(null);

  useLayoutEffect(() => {
    if (rootRef.current === null) return;
    const root = select(rootRef.current);
    root.selectAll('*').remove();
    const innerWidth = width - MARGIN.left - MARGIN.right;
    const innerHeight = height - MARGIN.top - MARGIN.bottom;
    if (losses.length === 0) {
      root.append('text').attr('class', 'lc-message').attr('x', innerWidth / 2).attr('y', innerHeight / 2).attr('text-anchor', 'middle').text('No batches yet');
      return;
    }

    const x = scaleLinear().domain([1, Math.max(2, losses.length)]).range([0, innerWidth]);
    const y = scaleLinear().domain([0, (max(losses) ?? 1) * 1.05 || 1]).range([innerHeight, 0]).nice();
    const yAccuracy = scaleLinear().domain([0, 1]).range([innerHeight, 0]);

    root.append('g').attr('class', 'lc-axis').attr('transform', `translate(0,${innerHeight})`).call(axisBottom(x).ticks(6, 'd'));
    root.append('g').attr('class', 'lc-axis').call(axisLeft(y).ticks(5));
    root.append('g').attr('class', 'lc-axis').attr('transform', `translate(${innerWidth},0)`).call(axisRight(yAccuracy).ticks(5, format('.0%')));
    root.append('text').attr('class', 'lc-axis-label').attr('x', innerWidth / 2).attr('y', innerHeight + 34).attr('text-anchor', 'middle').text('training step');
    root.append('text').attr('class', 'lc-axis-label lc-loss-label').attr('transform', `translate(-42,${innerHeight / 2}) rotate(-90)`).attr('text-anchor', 'middle').text('batch loss');
    root.append('text').attr('class', 'lc-axis-label lc-accuracy-label').attr('transform', `translate(${innerWidth + 44},${innerHeight / 2}) rotate(90)`).attr('text-anchor', 'middle').text('held-out top-1');

    const path = line<number>()
      .x((_, i) => x(i + 1))
      .y((loss) => y(loss));
    root.append('path').attr('class', 'lc-loss').attr('d', path([...losses]) ?? '');
    root
      .selectAll('circle.lc-loss-point')
      .data(losses)
      .join('circle')
      .attr('class', 'lc-loss-point')
      .attr('cx', (_, i) => x(i + 1))
      .attr('cy', (loss) => y(loss))
      .attr('r', 2);

    const epochs = accuracy.filter((point): point is { step: number; value: number } => point.value !== null);
    root
      .selectAll('circle.lc-accuracy')
      .data(epochs)
      .join('circle')
      .attr('class', 'lc-accuracy')
      .attr('cx', (point) => x(point.step))
      .attr('cy', (point) => yAccuracy(point.value))
      .attr('r', 4)
      .append('title')
      .text((point) => `held-out top-1 ${format('.1%')(point.value)} at step ${point.step}`);
  }, [losses, accuracy, width, height]);

  return (
    <svg
      className="peakprune-chart loss-chart"
      width={width}
      height={height}
      role="img"
      aria-label="Batch loss and held-out top-1 during fine-tuning"
      data-testid="loss-chart"
    >
      <g ref={rootRef} transform={`translate(${MARGIN.left},${MARGIN.top})`} />
    </svg>
  );
}
