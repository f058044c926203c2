import { describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import { parseSpriteMeta, spriteToSampleSet, type SpriteMeta } from '../../src/core/sprite';

// A 3-tile sprite of 2×3 tiles in 2 columns, so the image is 6 pixels wide and 4 high and the
// last grid cell is empty. Tile n's pixel (y, x) is 10·(n+1) + 3·y + x, distinct everywhere.
const META_JSON = {
  format: 'peakprune-sprite-1',
  split: 'test',
  tile: [2, 3],
  channels: 1,
  columns: 2,
  count: 3,
  scale: 'divide-255',
  classNames: ['a', 'b'],
  labels: [1, 0, 1],
  sourceIndices: [7, 3, 11],
};
const WIDTH = 6;
const HEIGHT = 4;

function tileValue(n: number, y: number, x: number): number {
  return 10 * (n + 1) + 3 * y + x;
}

function makeGray(): Uint8Array {
  const gray = new Uint8Array(WIDTH * HEIGHT).fill(255);
  for (let n = 0; n < 3; n++) {
    const top = Math.floor(n / 2) * 2;
    const left = (n % 2) * 3;
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) gray[(top + y) * WIDTH + left + x] = tileValue(n, y, x);
    }
  }
  return gray;
}

function expectedPixels(): number[] {
  const values: number[] = [];
  for (let n = 0; n < 3; n++) {
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) values.push(tileValue(n, y, x) / 255);
    }
  }
  return values;
}

function catchError(fn: () => unknown): PeakPruneError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PeakPruneError) return error;
    throw error;
  }
  throw new Error('expected a PeakPruneError, but nothing was thrown');
}

describe('parseSpriteMeta', () => {
  it('accepts a valid description', () => {
    const meta = parseSpriteMeta(structuredClone(META_JSON), 'tiny.json');
    expect(meta.tile).toEqual([2, 3]);
    expect(meta.labels).toEqual([1, 0, 1]);
    expect(meta.sourceIndices).toEqual([7, 3, 11]);
    expect(meta.split).toBe('test');
  });

  const badFields: [string, unknown][] = [
    ['format', 'peakprune-sprite-2'],
    ['split', 'validation'],
    ['tile', [28]],
    ['tile', [0, 28]],
    ['channels', 2],
    ['channels', 4],
    ['columns', 2.5],
    ['count', 0],
    ['scale', 'none'],
    ['classNames', []],
    ['labels', [1, 0]],
    ['labels', [1, 0, 2]],
    ['sourceIndices', [7, -3, 11]],
  ];
  for (const [field, value] of badFields) {
    it(`rejects bad ${field} ${JSON.stringify(value)}`, () => {
      const json: Record<string, unknown> = { ...structuredClone(META_JSON), [field]: value };
      const error = catchError(() => parseSpriteMeta(json, 'tiny.json'));
      expect(error.code).toBe('invalid-images');
      expect(error.message).toContain('tiny.json');
      expect(error.message).toContain(`"${field}"`);
    });
  }

  it('rejects a missing field', () => {
    const json: Record<string, unknown> = structuredClone(META_JSON);
    delete json.labels;
    const error = catchError(() => parseSpriteMeta(json, 'tiny.json'));
    expect(error.message).toContain('"labels"');
  });

  it('rejects a non-object', () => {
    const error = catchError(() => parseSpriteMeta([1, 2], 'list.json'));
    expect(error.code).toBe('invalid-images');
    expect(error.message).toContain('list.json');
  });
});

describe('spriteToSampleSet', () => {
  const meta: SpriteMeta = parseSpriteMeta(META_JSON, 'tiny.json');

  it('cuts gray tiles in row-major order', () => {
    const set = spriteToSampleSet(makeGray(), WIDTH, HEIGHT, 1, meta);
    expect(set.shape).toEqual([2, 3, 1]);
    expect(Array.from(set.labels)).toEqual([1, 0, 1]);
    expect(set.classNames).toEqual(['a', 'b']);
    expect(set.pixels.length).toBe(18);
    const expected = expectedPixels();
    for (let i = 0; i < expected.length; i++) expect(set.pixels[i]).toBeCloseTo(expected[i], 7);
  });

  it('reads the first byte of RGBA pixels', () => {
    const gray = makeGray();
    const rgba = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
    for (let i = 0; i < gray.length; i++) {
      rgba[4 * i] = gray[i];
      rgba[4 * i + 1] = 0;
      rgba[4 * i + 2] = 0;
      rgba[4 * i + 3] = 255;
    }
    const set = spriteToSampleSet(rgba, WIDTH, HEIGHT, 4, meta);
    const expected = expectedPixels();
    for (let i = 0; i < expected.length; i++) expect(set.pixels[i]).toBeCloseTo(expected[i], 7);
  });

  it('reads R, G and B of an RGB sprite in channels-last order', () => {
    // Pixel i of the sprite has R = gray, G = gray + 1, B = 255 − gray and alpha 7 (ignored).
    const gray = makeGray();
    const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
    for (let i = 0; i < gray.length; i++) rgba.set([gray[i], gray[i] + 1, 255 - gray[i], 7], 4 * i);
    const rgbMeta = parseSpriteMeta({ ...structuredClone(META_JSON), channels: 3 }, 'rgb.json');
    const set = spriteToSampleSet(rgba, WIDTH, HEIGHT, 4, rgbMeta);
    expect(set.shape).toEqual([2, 3, 3]);
    expect(set.pixels.length).toBe(54);
    const expected = expectedPixels();
    for (let i = 0; i < expected.length; i++) {
      const value = expected[i] * 255;
      expect(set.pixels[3 * i]).toBeCloseTo(value / 255, 7);
      expect(set.pixels[3 * i + 1]).toBeCloseTo((value + 1) / 255, 7);
      expect(set.pixels[3 * i + 2]).toBeCloseTo((255 - value) / 255, 7);
    }
  });

  it('refuses an RGB description for one-byte pixels', () => {
    const rgbMeta = parseSpriteMeta({ ...structuredClone(META_JSON), channels: 3 }, 'rgb.json');
    const error = catchError(() => spriteToSampleSet(makeGray(), WIDTH, HEIGHT, 1, rgbMeta, 'gray.png'));
    expect(error.message).toContain('gray.png');
    expect(error.message).toContain('3 channels');
  });

  it('ignores pixels outside the tiles', () => {
    // A wider, taller image with a 7th column and 5th row of noise gives the same tiles.
    const wide = new Uint8Array(7 * 5).fill(99);
    const gray = makeGray();
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) wide[y * 7 + x] = gray[y * WIDTH + x];
    }
    const set = spriteToSampleSet(wide, 7, 5, 1, meta);
    const expected = expectedPixels();
    for (let i = 0; i < expected.length; i++) expect(set.pixels[i]).toBeCloseTo(expected[i], 7);
  });

  it('rejects an image too small', () => {
    const error = catchError(() => spriteToSampleSet(new Uint8Array(5 * 4), 5, 4, 1, meta, 'small.png'));
    expect(error.code).toBe('invalid-images');
    expect(error.message).toContain('small.png');
    expect(error.message).toContain('6×4');
  });

  it('rejects a short pixel buffer', () => {
    const error = catchError(() => spriteToSampleSet(new Uint8Array(WIDTH * HEIGHT * 4 - 1), WIDTH, HEIGHT, 4, meta));
    expect(error.code).toBe('invalid-images');
    expect(error.message).toContain('pixel buffer');
  });
});
