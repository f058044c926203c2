import { describe, expect, it } from 'vitest';
import {
  CLUSTER_COLORS,
  LUT_SIZE,
  MISSING_VALUE_COLOR,
  UNASSIGNED_COLOR,
  clusterColor,
  divergingColor,
  divergingIndex,
  divergingLut,
  maxAbsFinite,
} from '../../src/ui/charts/palette';
import { axisDomain, formatStatistic, lengthMismatch, pixelOf, wrapWords } from '../../src/ui/charts/DecisionGraph';
import { formatPercent, groupByCluster, kernelProblem, kernelTiles } from '../../src/ui/charts/KernelGrid';

describe('clusterColor', () => {
  it('gives distinct colours up to the palette size', () => {
    const colours = CLUSTER_COLORS.map((_, k) => clusterColor(k));
    expect(new Set(colours).size).toBe(CLUSTER_COLORS.length);
  });

  it('cycles past the palette size', () => {
    expect(clusterColor(CLUSTER_COLORS.length)).toBe(clusterColor(0));
    expect(clusterColor(2 * CLUSTER_COLORS.length + 3)).toBe(clusterColor(3));
  });

  it('marks invalid ids unassigned', () => {
    for (const k of [-1, NaN, 1.5, Infinity]) expect(clusterColor(k)).toBe(UNASSIGNED_COLOR);
  });
});

describe('diverging scale', () => {
  it('maps zero to the middle entry', () => {
    expect(divergingIndex(0, 2)).toBe((LUT_SIZE - 1) / 2);
    expect(divergingIndex(-0, 2)).toBe((LUT_SIZE - 1) / 2);
  });

  it('maps ±maxAbs to the ends and clamps beyond', () => {
    expect(divergingIndex(2, 2)).toBe(LUT_SIZE - 1);
    expect(divergingIndex(-2, 2)).toBe(0);
    expect(divergingIndex(5, 2)).toBe(LUT_SIZE - 1);
    expect(divergingIndex(-Infinity, 2)).toBe(0);
    expect(divergingIndex(1, 2)).toBe(192);
  });

  it('is symmetric around zero', () => {
    for (const v of [0.1, 0.7, 1.3, 1.99]) {
      expect(divergingIndex(v, 2) + divergingIndex(-v, 2)).toBe(LUT_SIZE - 1);
    }
  });

  it('handles NaN and a zero span', () => {
    expect(divergingIndex(NaN, 1)).toBe(-1);
    expect(divergingColor(NaN, 1)).toBe(MISSING_VALUE_COLOR);
    expect(divergingIndex(0, 0)).toBe((LUT_SIZE - 1) / 2);
    expect(divergingIndex(0, NaN)).toBe((LUT_SIZE - 1) / 2);
    expect(divergingIndex(Infinity, 0)).toBe(LUT_SIZE - 1);
  });

  it('lookup table runs blue, white, red', () => {
    const lut = divergingLut();
    expect(lut.length).toBe(LUT_SIZE * 4);
    const entry = (i: number) => Array.from(lut.subarray(i * 4, i * 4 + 4));
    const [r0, , b0, a0] = entry(0);
    const [rm, gm, bm] = entry((LUT_SIZE - 1) / 2);
    const [r1, , b1] = entry(LUT_SIZE - 1);
    expect(b0).toBeGreaterThan(r0);
    expect(a0).toBe(255);
    expect(Math.min(rm, gm, bm)).toBeGreaterThan(235);
    expect(r1).toBeGreaterThan(b1);
  });

  it('maxAbsFinite skips non-finite values', () => {
    expect(maxAbsFinite([])).toBe(0);
    expect(maxAbsFinite([NaN, Infinity, -Infinity])).toBe(0);
    expect(maxAbsFinite(new Float32Array([0.5, -3, NaN, 2]))).toBe(3);
  });
});

describe('decision graph axes', () => {
  it('axisDomain of empty input is [0, 1]', () => {
    expect(axisDomain([])).toEqual([0, 1]);
  });

  it('axisDomain of all zeros is centred on 0', () => {
    expect(axisDomain([0, 0, 0])).toEqual([-0.5, 0.5]);
  });

  it('axisDomain of equal values is centred on them', () => {
    expect(axisDomain([5, 5, 5])).toEqual([4.5, 5.5]);
  });

  it('axisDomain ignores NaN and infinities', () => {
    expect(axisDomain([1, NaN, Infinity, 3, -Infinity])).toEqual([0.9, 3.1]);
    expect(axisDomain([NaN])).toEqual([0, 1]);
  });

  it('axisDomain includes negative values', () => {
    expect(axisDomain([-2, 2])).toEqual([-2.2, 2.2]);
  });

  it('pixelOf places finite values by the scale', () => {
    const double = (v: number) => 2 * v;
    expect(pixelOf(2.5, double, [0, 100], 10)).toBe(5);
  });

  it('pixelOf puts +Infinity past the end', () => {
    const double = (v: number) => 2 * v;
    expect(pixelOf(Infinity, double, [0, 100], 10)).toBe(110);
    // A y axis runs upwards: the end is the smaller pixel.
    expect(pixelOf(Infinity, double, [300, 0], 10)).toBe(-10);
  });

  it('pixelOf puts NaN and −Infinity at the start', () => {
    const double = (v: number) => 2 * v;
    expect(pixelOf(NaN, double, [300, 0], 10)).toBe(300);
    expect(pixelOf(-Infinity, double, [0, 100], 10)).toBe(0);
  });

  it('wrapWords breaks at spaces', () => {
    expect(wrapWords('ab cd ef gh', 5)).toEqual(['ab cd', 'ef gh']);
    expect(wrapWords('  one  ', 10)).toEqual(['one']);
    expect(wrapWords('', 10)).toEqual([]);
  });

  it('wrapWords keeps a long word whole', () => {
    expect(wrapWords('a verylongword b', 4)).toEqual(['a', 'verylongword', 'b']);
  });

  it('formatStatistic spells out non-finite values', () => {
    expect(formatStatistic(0.123456)).toBe('0.1235');
    expect(formatStatistic(NaN)).toMatch(/^not a number/);
    expect(formatStatistic(Infinity)).toMatch(/^∞/);
  });

  it('lengthMismatch names each array length', () => {
    const ok = { rho: new Float64Array(3), delta: new Float64Array(3), labels: new Int32Array(3), halo: new Uint8Array(3) };
    expect(lengthMismatch(ok)).toBeNull();
    const message = lengthMismatch({ ...ok, delta: new Float64Array(2) });
    expect(message).toContain('ρ has 3 values, δ 2');
  });
});

describe('kernelTiles', () => {
  // Shape [kh=1, kw=2, cin=2, cout=2]; flat index ((y·kw + x)·cin + c)·cout + f, so the
  // values 1..8 are w(0,0,0,0)=1, w(0,0,0,1)=2, w(0,0,1,0)=3, w(0,0,1,1)=4, w(0,1,0,0)=5, …, w(0,1,1,1)=8.
  const kernel = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const shape = [1, 2, 2, 2] as const;

  it('averages input channels for mean', () => {
    // Filter 0: x=0 → (1+3)/2, x=1 → (5+7)/2. Filter 1: x=0 → (2+4)/2, x=1 → (6+8)/2.
    expect(Array.from(kernelTiles(kernel, shape, 'mean'))).toEqual([2, 6, 3, 7]);
  });

  it('selects one input channel', () => {
    expect(Array.from(kernelTiles(kernel, shape, 0))).toEqual([1, 5, 2, 6]);
    expect(Array.from(kernelTiles(kernel, shape, 1))).toEqual([3, 7, 4, 8]);
  });

  it('lays out each tile row by row', () => {
    // Shape [2, 2, 1, 1]: one filter, one channel, so the tile equals the flat kernel.
    const square = new Float32Array([0.5, -1, 2, -0.25]);
    expect(Array.from(kernelTiles(square, [2, 2, 1, 1], 'mean'))).toEqual([0.5, -1, 2, -0.25]);
  });

  it('keeps NaN weights as NaN', () => {
    const withNaN = new Float32Array([NaN, 2, 3, 4, 5, 6, 7, 8]);
    const tiles = kernelTiles(withNaN, shape, 'mean');
    expect(tiles[0]).toBeNaN();
    expect(tiles[2]).toBe(3);
  });
});

describe('kernelProblem', () => {
  const base = {
    kernel: new Float32Array(8),
    kernelShape: [1, 2, 2, 2] as const,
    labels: new Int32Array(2),
    apoz: new Float64Array(2),
    channel: 'mean' as const,
  };

  it('accepts consistent inputs', () => {
    expect(kernelProblem(base)).toBeNull();
    expect(kernelProblem({ ...base, channel: 1 })).toBeNull();
  });

  it('rejects a kernel of the wrong length', () => {
    expect(kernelProblem({ ...base, kernel: new Float32Array(7) })).toContain('7 weights');
  });

  it('rejects a zero dimension', () => {
    expect(kernelProblem({ ...base, kernelShape: [1, 2, 0, 2], kernel: new Float32Array(0) })).toContain('positive integers');
  });

  it('rejects a missing input channel', () => {
    expect(kernelProblem({ ...base, channel: 2 })).toContain('Input channel 2 does not exist');
    expect(kernelProblem({ ...base, channel: -1 })).toContain('does not exist');
  });

  it('rejects per-filter arrays of the wrong length', () => {
    expect(kernelProblem({ ...base, labels: new Int32Array(3) })).toContain('labels has 3 values');
    expect(kernelProblem({ ...base, meanAbs: new Float64Array(1) })).toContain('mean |a| has 1 values');
  });
});

describe('groupByCluster', () => {
  it('puts the center first and collects unassigned filters last', () => {
    const labels = new Int32Array([1, 0, 0, 1, 2, -1, 0]);
    expect(groupByCluster(labels, [2, 3, 4])).toEqual([
      { cluster: 0, center: 2, filters: [2, 1, 6] },
      { cluster: 1, center: 3, filters: [3, 0] },
      { cluster: 2, center: 4, filters: [4] },
      { cluster: null, center: null, filters: [5] },
    ]);
  });

  it('treats every filter as unassigned without centers', () => {
    expect(groupByCluster(new Int32Array([0, 0]), [])).toEqual([{ cluster: null, center: null, filters: [0, 1] }]);
  });

  it('handles one filter', () => {
    expect(groupByCluster(new Int32Array([0]), [0])).toEqual([{ cluster: 0, center: 0, filters: [0] }]);
  });

  it('skips clusters with no members', () => {
    expect(groupByCluster(new Int32Array([0, 0]), [0, 1])).toEqual([{ cluster: 0, center: 0, filters: [0, 1] }]);
  });
});

describe('formatPercent', () => {
  it('formats fractions with one decimal', () => {
    expect(formatPercent(0.4321)).toBe('43.2 %');
    expect(formatPercent(1)).toBe('100.0 %');
  });

  it('gives a dash for non-finite values', () => {
    expect(formatPercent(NaN)).toBe('—');
  });
});
