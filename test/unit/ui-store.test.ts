import { beforeEach, describe, expect, it } from 'vitest';

import type { SensitivityRow } from '../../src/core/sensitivity';
import type { SweepRow } from '../../src/core/sweep';
import type { DpcResult, LayerAnalysis } from '../../src/core/types';
import { DEFAULT_DPC_OPTIONS } from '../../src/core/types';
import { useStore } from '../../src/ui/store';
import { DEFAULT_PLAN_OPTIONS, planKey, planTotals } from '../../src/ui/store/plan';

/** Builds one layer of six filters in one cluster centred on filter 0, with high APoZ on odd filters. */
function fakeLayer(name = 'conv'): LayerAnalysis {
  const n = 6;
  const dpc: DpcResult = {
    n,
    dc: 1,
    rho: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    nearestDenser: Int32Array.from([-1, 0, 0, 0, 0, 0]),
    order: Int32Array.from([0, 1, 2, 3, 4, 5]),
    centers: [0],
    labels: new Int32Array(n),
    halo: new Uint8Array(n),
    zeroFilters: [],
    duplicateGroups: [],
  };
  return {
    name,
    filters: n,
    kernelShape: [1, 1, 1, n],
    kernel: new Float32Array(n),
    dpc,
    apoz: {
      layer: name,
      measuredAt: name,
      activation: 'relu',
      applies: true,
      apoz: Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.3, 0.7]),
      meanAbs: new Float64Array(n),
      count: 10,
    },
    l1: Float64Array.from([6, 5, 4, 3, 2, 1]),
  };
}

function removed(layer = 'conv'): number[] {
  return useStore.getState().plan?.layers.find((entry) => entry.name === layer)?.removed ?? [];
}

describe('plan slice', () => {
  beforeEach(() => {
    useStore.getState().resetPlan();
    useStore.getState().setPlanOptions({ ...DEFAULT_PLAN_OPTIONS, ratio: 0.34 });
    useStore.getState().setLayers([fakeLayer()], DEFAULT_DPC_OPTIONS);
  });

  it('plans the highest APoZ filters', () => {
    expect(removed()).toEqual([1, 3]);
    expect(planTotals(useStore.getState().plan!)).toEqual({ filters: 6, removed: 2 });
  });

  it('removes a kept filter by hand and undoes it', () => {
    useStore.getState().toggleFilter('conv', 0);
    expect(removed()).toEqual([0, 1, 3]);
    expect(useStore.getState().overrides.conv).toEqual({ keep: [], remove: [0] });

    useStore.getState().toggleFilter('conv', 0);
    expect(removed()).toEqual([1, 3]);
    expect(useStore.getState().overrides.conv).toEqual({ keep: [], remove: [] });
  });

  it('keeps a planned filter by hand and undoes it', () => {
    useStore.getState().toggleFilter('conv', 1);
    expect(removed()).toEqual([3]);
    expect(useStore.getState().overrides.conv).toEqual({ keep: [1], remove: [] });

    useStore.getState().toggleFilter('conv', 1);
    expect(removed()).toEqual([1, 3]);
    expect(useStore.getState().overrides.conv).toEqual({ keep: [], remove: [] });
  });

  it('rejects a hand change that empties the layer', () => {
    for (const filter of [0, 2, 4]) useStore.getState().toggleFilter('conv', filter);
    expect(removed()).toEqual([0, 1, 2, 3, 4]);
    expect(useStore.getState().planError).toBeUndefined();

    useStore.getState().toggleFilter('conv', 5);
    expect(removed()).toEqual([0, 1, 2, 3, 4]);
    expect(useStore.getState().planError).toMatch(/keep at least one/);
  });

  it('applies and clears a layer ratio', () => {
    useStore.getState().setLayerRatio('conv', 0.5);
    expect(removed()).toEqual([1, 3, 5]);
    useStore.getState().setLayerRatio('conv', undefined);
    expect(removed()).toEqual([1, 3]);
    expect(useStore.getState().planOptions.layerRatios).toEqual({});
  });

  it('switches to the L1 baseline', () => {
    useStore.getState().setPlanOptions({ method: 'l1' });
    expect(removed()).toEqual([4, 5]);
  });

  it('keys plans by their removals', () => {
    const key = planKey(useStore.getState().plan);
    useStore.getState().toggleFilter('conv', 0);
    expect(planKey(useStore.getState().plan)).not.toBe(key);
    useStore.getState().toggleFilter('conv', 0);
    expect(planKey(useStore.getState().plan)).toBe(key);
  });
});

describe('session slice', () => {
  it('drops analysis, plan and result for a new model', () => {
    useStore.getState().setLayers([fakeLayer()], DEFAULT_DPC_OPTIONS);
    useStore.getState().toggleFilter('conv', 0);
    const id = useStore.getState().analysisId;
    useStore.getState().setModel({ name: 'm', source: 'model.json', inputShape: [28, 28, 1], classCount: 10, layers: [], metrics: { params: 1, flops: 1, bytes: 4 } });

    const state = useStore.getState();
    expect(state.layers).toEqual([]);
    expect(state.plan).toBeUndefined();
    expect(state.overrides).toEqual({});
    expect(state.result).toBeUndefined();
    expect(state.analysisId).toBeGreaterThan(id);
    expect(state.model?.source).toBe('model.json');
  });

  it('drops sweep and sensitivity rows measured on the previous model or images', () => {
    const sweepRow = { method: 'l1', seed: null, ratio: 0.5, params: 1, flops: 1, bytes: 4, top1: 0.5 } as unknown as SweepRow;
    const sensitivityRow = { layer: 'conv', ratio: 0.5, top1: 0.5 } as unknown as SensitivityRow;
    const fill = () => {
      useStore.getState().addSweepRow(sweepRow);
      useStore.getState().addSensitivityRow(sensitivityRow);
      useStore.getState().setSensitivityBaseline(0.9);
    };
    fill();
    useStore.getState().setModel({ name: 'm', source: 'other.json', inputShape: [28, 28, 1], classCount: 10, layers: [], metrics: { params: 1, flops: 1, bytes: 4 } });
    expect(useStore.getState().sweepRows).toEqual([]);
    expect(useStore.getState().sensitivityRows).toEqual([]);
    expect(useStore.getState().sensitivityBaseline).toBeUndefined();

    fill();
    useStore.getState().setSamples({ kind: 'evaluation', source: 'e.png', count: 3, classNames: ['a'], shape: [28, 28, 1] });
    expect(useStore.getState().sweepRows).toEqual([]);
    expect(useStore.getState().sensitivityRows).toEqual([]);
  });
});

describe('job slice', () => {
  it('runs one job at a time and ignores stale ids', () => {
    const job = useStore.getState().startJob('First');
    expect(() => useStore.getState().startJob('Second')).toThrow(/First/);

    useStore.getState().setProgress(job.id + 100, { phase: 'x', done: 0.5 });
    expect(useStore.getState().job?.progress).toBeUndefined();
    useStore.getState().setProgress(job.id, { phase: 'x', done: 0.5 });
    expect(useStore.getState().job?.progress?.done).toBe(0.5);

    useStore.getState().finishJob(job.id + 100, 'stale', 'done');
    expect(useStore.getState().job).toBeDefined();
    useStore.getState().finishJob(job.id, 'Finished.', 'done');
    expect(useStore.getState().job).toBeUndefined();
    expect(useStore.getState().status).toBe('Finished.');
  });
});
