import { describe, expect, it } from 'vitest';

import type { LayerSummary, PruningPlan } from '../../src/core/types';
import { DEFAULT_DPC_OPTIONS } from '../../src/core/types';
import { buildPlanFile, checkPlanFitsModel, modelFingerprint, overridesReproducing, parsePlanFile } from '../../src/ui/actions/plan-file';
import type { ModelInfo } from '../../src/worker/types';

function layer(name: string, className: string, outputShape: number[], params: number): LayerSummary {
  return { name, className, outputShape, params, prunable: className === 'Conv2D' };
}

const INFO: ModelInfo = {
  name: 'sequential_1',
  source: 'model.json',
  inputShape: [28, 28, 1],
  classCount: 10,
  layers: [layer('conv1', 'Conv2D', [26, 26, 8], 80), layer('conv2', 'Conv2D', [24, 24, 16], 1168), layer('dense', 'Dense', [10], 92170)],
  metrics: { params: 93418, flops: 1, bytes: 4 },
};

const PLAN: PruningPlan = {
  options: { method: 'dpc-apoz', ratio: 0.25, minChannels: 1 },
  layers: [
    { name: 'conv1', filters: 8, removed: [1, 6] },
    { name: 'conv2', filters: 16, removed: [0, 3, 9, 12] },
  ],
};

const DPC = { conv1: { ...DEFAULT_DPC_OPTIONS, centers: [2, 5] }, conv2: DEFAULT_DPC_OPTIONS };
const OVERRIDES = { conv2: { keep: [4], remove: [12] } };

describe('modelFingerprint', () => {
  it('is eight hex digits and stable', () => {
    expect(modelFingerprint(INFO)).toMatch(/^[0-9a-f]{8}$/);
    const renamed: ModelInfo = { ...INFO, source: 'other.json' };
    expect(modelFingerprint(renamed)).toBe(modelFingerprint(INFO));
  });

  it('changes with a filter count', () => {
    const changed = { ...INFO, layers: [layer('conv1', 'Conv2D', [26, 26, 4], 40), ...INFO.layers.slice(1)] };
    expect(modelFingerprint(changed)).not.toBe(modelFingerprint(INFO));
  });
});

describe('plan file', () => {
  const file = buildPlanFile(INFO, PLAN, DPC, OVERRIDES, new Date('2026-01-02T03:04:05Z'));

  it('survives JSON and parsing', () => {
    const parsed = parsePlanFile(JSON.stringify(file), 'plan.json');
    expect(parsed).toEqual(file);
    expect(parsed.layers).toEqual(PLAN.layers);
    expect(parsed.dpc.conv1.centers).toEqual([2, 5]);
    expect(parsed.model.layers).toEqual([
      { name: 'conv1', filters: 8 },
      { name: 'conv2', filters: 16 },
    ]);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parsePlanFile('{"format": "peakprune-plan-1",', 'plan.json')).toThrow(/^plan\.json is not valid JSON/);
  });

  it('rejects another format', () => {
    expect(() => parsePlanFile(JSON.stringify({ ...file, format: 'x' }), 'plan.json')).toThrow(/plan\.json: field "format" is missing or invalid; expected "peakprune-plan-1"/);
  });

  it('rejects a removed index past the filter count', () => {
    const bad = { ...file, layers: [{ name: 'conv1', filters: 8, removed: [8] }] };
    expect(() => parsePlanFile(JSON.stringify(bad), 'plan.json')).toThrow(/field "layers\[0\]" is missing or invalid/);
  });

  it('fits the model it was made for', () => {
    expect(() => checkPlanFitsModel(file, INFO, PLAN.layers, 'plan.json')).not.toThrow();
  });

  it('names the layer whose filters differ', () => {
    const other = { ...INFO, name: 'small', layers: [layer('conv1', 'Conv2D', [26, 26, 6], 60), ...INFO.layers.slice(1)] };
    expect(() => checkPlanFitsModel(file, other, [{ name: 'conv1', filters: 6 }, { name: 'conv2', filters: 16 }], 'plan.json')).toThrow(
      'plan.json was made for model "sequential_1" (model.json), not the loaded "small" (model.json): its layer conv1 has 8 filters, but the loaded model\'s has 6. Load that model, then import the plan.',
    );
  });

  it('names a missing layer', () => {
    const other = { ...INFO, layers: [INFO.layers[0], layer('conv3', 'Conv2D', [24, 24, 16], 1168), INFO.layers[2]] };
    expect(() => checkPlanFitsModel(file, other, [{ name: 'conv1', filters: 8 }, { name: 'conv3', filters: 16 }], 'plan.json')).toThrow(/its layer conv2 is not in the loaded model/);
  });
});

describe('overridesReproducing', () => {
  it('removes and keeps the difference', () => {
    const planned: PruningPlan = {
      options: PLAN.options,
      layers: [
        { name: 'conv1', filters: 8, removed: [1, 6] },
        { name: 'conv2', filters: 16, removed: [0, 3, 5, 9] },
      ],
    };
    expect(overridesReproducing(planned, PLAN.layers)).toEqual({ conv2: { keep: [5], remove: [12] } });
  });

  it('returns nothing when the plans agree', () => {
    expect(overridesReproducing(PLAN, PLAN.layers)).toEqual({});
  });
});
