import { describe, expect, it } from 'vitest';

import { sweepRuns, type SweepRow } from '../../src/core/sweep';
import { axisValue, sweepCsvText, sweepJsonText, sweepSeries, type PageSweepSettings } from '../../src/ui/sweep-export';

function row(partial: Partial<SweepRow> & Pick<SweepRow, 'method' | 'ratio' | 'top1'>): SweepRow {
  return {
    seed: null,
    params: 100,
    flops: 1000,
    bytes: 400,
    filtersRemoved: 0,
    seconds: 0,
    top1Finetuned: null,
    finetuneEpochs: 0,
    finetuneBestEpoch: null,
    ...partial,
  };
}

const SETTINGS: PageSweepSettings = {
  model: 'model.json',
  methods: ['l1', 'random'],
  ratios: [0, 0.5],
  seeds: [0, 1, 2],
  minChannels: 1,
  recalibrationImages: 32,
  calibrationImages: 32,
  evaluationImages: 32,
  fineTune: null,
};

describe('sweepCsvText', () => {
  it('writes the CLI header and one line per row', () => {
    const text = sweepCsvText([
      row({ method: 'l1', ratio: 0.1, top1: 0.8125, params: 1234, flops: 56789, bytes: 4936, filtersRemoved: 3, seconds: 1.234 }),
      row({ method: 'random', seed: 2, ratio: 0, top1: 1, params: 7, flops: 9, bytes: 28, filtersRemoved: 0, seconds: 0.5 }),
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('method,seed,ratio,params,flops,top1,bytes,filters_removed,seconds,top1_finetuned,finetune_epochs,finetune_best_epoch');
    expect(lines[1]).toBe('l1,,0.1,1234,56789,0.8125,4936,3,1.23,,,');
    expect(lines[2]).toBe('random,2,0,7,9,1,28,0,0.50,,,');
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('writes only the header for no rows', () => {
    expect(sweepCsvText([])).toBe('method,seed,ratio,params,flops,top1,bytes,filters_removed,seconds,top1_finetuned,finetune_epochs,finetune_best_epoch\n');
  });
});

describe('sweepJsonText', () => {
  it('records settings, rows and completeness', () => {
    const rows = [row({ method: 'l1', ratio: 0.5, top1: 0.75 })];
    const parsed = JSON.parse(sweepJsonText(rows, SETTINGS, false, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))) as Record<string, unknown>;
    expect(parsed.tool).toBe('peakprune');
    expect(parsed.command).toBe('sweep');
    expect(parsed.createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(parsed.complete).toBe(false);
    expect(parsed.settings).toEqual(SETTINGS);
    expect(parsed.rows).toEqual(rows);
  });
});

describe('sweepSeries', () => {
  const rows: SweepRow[] = [
    row({ method: 'random', seed: 0, ratio: 0.5, top1: 0.5, params: 60, flops: 600 }),
    row({ method: 'l1', ratio: 0.5, top1: 0.8, params: 50, flops: 500 }),
    row({ method: 'random', seed: 1, ratio: 0.5, top1: 0.7, params: 60, flops: 600 }),
    row({ method: 'l1', ratio: 0, top1: 0.9 }),
    row({ method: 'random', seed: 2, ratio: 0.5, top1: 0.6, params: 66, flops: 630 }),
    row({ method: 'random', seed: 0, ratio: 0, top1: 0.9 }),
  ];
  const series = sweepSeries(rows);

  it('keeps methods in order of first appearance', () => {
    expect(series.map((s) => s.method)).toEqual(['random', 'l1']);
  });

  it('sorts each method by ratio', () => {
    expect(series[0].points.map((p) => p.ratio)).toEqual([0, 0.5]);
    expect(series[1].points.map((p) => p.ratio)).toEqual([0, 0.5]);
  });

  it('reduces random seeds to min, max and mean', () => {
    const band = series[0].points[1];
    expect(band.count).toBe(3);
    expect(band.min).toBe(0.5);
    expect(band.max).toBe(0.7);
    expect(band.mean).toBeCloseTo(0.6, 12);
    expect(band.params).toBe(62); // (60 + 60 + 66) / 3
    expect(band.flops).toBe(610); // (600 + 600 + 630) / 3
  });

  it('gives a one-row group a zero-width band', () => {
    const point = series[1].points[1];
    expect(point).toEqual({ ratio: 0.5, params: 50, flops: 500, mean: 0.8, min: 0.8, max: 0.8, count: 1 });
    expect(series[0].points[0].count).toBe(1);
  });

  it('plots fine-tuned rows only for that stage', () => {
    const tuned = [
      row({ method: 'l1', ratio: 0.5, top1: 0.4, top1Finetuned: 0.7, finetuneEpochs: 1, finetuneBestEpoch: 1 }),
      row({ method: 'l1', ratio: 0.1, top1: 0.8 }),
      row({ method: 'fpgm', ratio: 0.5, top1: 0.3 }),
      row({ method: 'random', seed: 0, ratio: 0.5, top1: 0.2, top1Finetuned: 0.6, finetuneEpochs: 1, finetuneBestEpoch: 1 }),
      row({ method: 'random', seed: 1, ratio: 0.5, top1: 0.3, top1Finetuned: 0.5, finetuneEpochs: 1, finetuneBestEpoch: 0 }),
    ];
    const after = sweepSeries(tuned, 'finetuned');
    expect(after.map((s) => s.method)).toEqual(['l1', 'random']);
    expect(after[0].points).toEqual([{ ratio: 0.5, params: 100, flops: 1000, mean: 0.7, min: 0.7, max: 0.7, count: 1 }]);
    expect(after[1].points[0].min).toBe(0.5);
    expect(after[1].points[0].max).toBe(0.6);
    expect(after[1].points[0].mean).toBeCloseTo(0.55, 12);
    const before = sweepSeries(tuned, 'before');
    expect(before.map((s) => s.method)).toEqual(['l1', 'fpgm', 'random']);
    expect(before[0].points.map((p) => p.mean)).toEqual([0.8, 0.4]);
  });

  it('writes fine-tuned cells in the CSV', () => {
    const text = sweepCsvText([row({ method: 'l2', ratio: 0.3, top1: 0.5, top1Finetuned: 0.625, finetuneEpochs: 2, finetuneBestEpoch: 0 })]);
    expect(text.split('\n')[1]).toBe('l2,,0.3,100,1000,0.5,400,0,0.00,0.625,2,0');
  });

  it('returns no series for no rows', () => {
    expect(sweepSeries([])).toEqual([]);
  });

  it('reads the x value of the chosen axis', () => {
    const point = series[1].points[1];
    expect(axisValue(point, 'ratio')).toBe(0.5);
    expect(axisValue(point, 'params')).toBe(50);
    expect(axisValue(point, 'flops')).toBe(500);
  });
});

describe('sweepRuns', () => {
  it('repeats only random per seed, ratios innermost', () => {
    const runs = sweepRuns({ methods: ['l1', 'random'], ratios: [0, 0.5], seeds: [3, 4] });
    expect(runs).toEqual([
      { method: 'l1', seed: null, ratio: 0 },
      { method: 'l1', seed: null, ratio: 0.5 },
      { method: 'random', seed: 3, ratio: 0 },
      { method: 'random', seed: 3, ratio: 0.5 },
      { method: 'random', seed: 4, ratio: 0 },
      { method: 'random', seed: 4, ratio: 0.5 },
    ]);
  });

  it('runs random not at all without seeds', () => {
    expect(sweepRuns({ methods: ['random'], ratios: [0.1], seeds: [] })).toEqual([]);
  });
});
