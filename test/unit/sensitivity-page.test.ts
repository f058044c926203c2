// The pieces of the page's sensitivity panel that run outside the browser: rows streamed by
// layerSensitivity, sensitivity.csv, the accuracy-drop field, the proposal and the plan action
// that loads it.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { analyzeModel, type ModelAnalysis } from '../../src/core/analyze';
import { formatSensitivityCsv, layerSensitivity, type SensitivityRow } from '../../src/core/sensitivity';
import { DEFAULT_DPC_OPTIONS, type SampleSet } from '../../src/core/types';
import { proposedRatios, readMaxDrop } from '../../src/ui/actions/sensitivity';
import { useStore } from '../../src/ui/store';
import { DEFAULT_PLAN_OPTIONS } from '../../src/ui/store/plan';
import { buildConvConvGap, seededInput, seedWeights } from './helpers/tiny-models';

function row(layer: string, ratio: number, top1: number): SensitivityRow {
  return { layer, ratio, params: 10, flops: 20, top1 };
}

describe('layerSensitivity onRow', () => {
  let model: tf.LayersModel;
  let analysis: ModelAnalysis;
  let samples: SampleSet;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildConvConvGap();
    seedWeights(model, 5);
    const input = seededInput([5, 5, 2], 8, 9);
    samples = { pixels: Float32Array.from(input.dataSync()), shape: [5, 5, 2], labels: Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]), classNames: ['a', 'b', 'c'] };
    input.dispose();
    analysis = await analyzeModel(model, samples, { dpc: DEFAULT_DPC_OPTIONS });
  });

  afterAll(() => model.dispose());

  it('streams every row before the next point', async () => {
    const streamed: SensitivityRow[] = [];
    const started: string[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const rows = await layerSensitivity(model, analysis, samples, {
      method: 'l1',
      ratios: [0.3, 0.6],
      onProgress: (progress) => {
        if (progress.detail !== undefined) started.push(`${progress.detail} after ${streamed.length} rows`);
      },
      onRow: async (next) => {
        // A slow receiver must still see the rows one at a time, in order.
        await new Promise((resolve) => setTimeout(resolve, 5));
        streamed.push(next);
      },
    });
    expect(streamed).toEqual(rows);
    expect(rows.map((r) => `${r.layer}@${r.ratio}`)).toEqual(['c1@0.3', 'c1@0.6', 'c2@0.3', 'c2@0.6']);
    expect(started).toEqual(['c1 ratio 0.3 after 0 rows', 'c1 ratio 0.6 after 1 rows', 'c2 ratio 0.3 after 2 rows', 'c2 ratio 0.6 after 3 rows']);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('formatSensitivityCsv', () => {
  it('writes the header and full-precision top-1', () => {
    const text = formatSensitivityCsv([{ layer: 'conv1', ratio: 0.2, params: 1234, flops: 5678, top1: 0.8125 }, row('conv2', 0.4, 1 / 3)]);
    expect(text).toBe(`layer,ratio,params,flops,top1\nconv1,0.2,1234,5678,0.8125\nconv2,0.4,10,20,${String(1 / 3)}\n`);
  });
});

describe('readMaxDrop', () => {
  it('turns percentage points into a fraction', () => {
    expect(readMaxDrop('2')).toBe(0.02);
    expect(readMaxDrop(' 0 ')).toBe(0);
    expect(readMaxDrop('100')).toBe(1);
  });

  it.each(['', 'two', '-1', '101', 'NaN'])('rejects "%s"', (text) => {
    expect(() => readMaxDrop(text)).toThrow('Accuracy-drop limit');
  });
});

describe('proposedRatios', () => {
  const run = { method: 'l1' as const, ratios: [0.2, 0.4], layers: ['a', 'b'] };
  const rows = [row('a', 0.2, 0.89), row('a', 0.4, 0.86), row('b', 0.2, 0.8), row('b', 0.4, 0.9)];

  it('applies the limit in percentage points', () => {
    expect(proposedRatios(rows, 0.9, run, true, '2')).toEqual({ a: 0.2, b: 0.4 });
    expect(proposedRatios(rows, 0.9, run, true, '5')).toEqual({ a: 0.4, b: 0.4 });
    expect(proposedRatios(rows, 0.9, run, true, '0')).toEqual({ a: 0, b: 0.4 });
  });

  it('waits for a complete run and a valid limit', () => {
    expect(proposedRatios(rows, 0.9, run, false, '2')).toBeUndefined();
    expect(proposedRatios(rows, undefined, run, true, '2')).toBeUndefined();
    expect(proposedRatios(rows, 0.9, undefined, true, '2')).toBeUndefined();
    expect(proposedRatios(rows, 0.9, run, true, 'x')).toBeUndefined();
  });
});

describe('setLayerRatios', () => {
  beforeEach(() => {
    useStore.getState().resetPlan();
    useStore.getState().setPlanOptions({ ...DEFAULT_PLAN_OPTIONS });
  });

  it('replaces every per-layer ratio', () => {
    useStore.getState().setLayerRatio('old', 0.5);
    useStore.getState().setLayerRatios({ a: 0.2, b: 0 });
    expect(useStore.getState().planOptions.layerRatios).toEqual({ a: 0.2, b: 0 });
    expect(useStore.getState().planOptions.ratio).toBe(DEFAULT_PLAN_OPTIONS.ratio);
  });

  it('copies the given object', () => {
    const ratios: Record<string, number> = { a: 0.2 };
    useStore.getState().setLayerRatios(ratios);
    ratios.a = 0.9;
    expect(useStore.getState().planOptions.layerRatios).toEqual({ a: 0.2 });
  });
});
