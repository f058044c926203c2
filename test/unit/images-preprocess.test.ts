import { describe, expect, it } from 'vitest';

import { PeakPruneError } from '../../src/core/errors';
import {
  cropBox,
  normalizePreprocessing,
  preprocessImage,
  previewRgba,
  resizeBilinearBox,
  rgbaToChannels,
  scalePixels,
  type Preprocessing,
} from '../../src/core/images/preprocess';

const BYTES: Preprocessing = { resize: 'stretch', scale: 'bytes', mean: [0], std: [1] };

/** Builds a one-row, opaque RGBA image whose pixels are gray with the given values. */
function grayRow(values: number[]) {
  const data = new Uint8Array(values.length * 4);
  values.forEach((value, i) => data.set([value, value, value, 255], 4 * i));
  return { width: values.length, height: 1, data };
}

describe('rgbaToChannels', () => {
  const pixel = { width: 1, height: 1, data: new Uint8Array([100, 200, 50, 128]) };

  it('gives BT.601 luma for one channel', () => {
    // 0.299·100 + 0.587·200 + 0.114·50 = 29.9 + 117.4 + 5.7
    expect(rgbaToChannels(pixel, 1)[0]).toBeCloseTo(153.0, 4);
  });

  it('drops alpha for three channels', () => {
    expect(Array.from(rgbaToChannels(pixel, 3))).toEqual([100, 200, 50]);
  });

  it('keeps alpha for four channels', () => {
    expect(Array.from(rgbaToChannels(pixel, 4))).toEqual([100, 200, 50, 128]);
  });

  it('rejects two channels', () => {
    expect(() => rgbaToChannels(pixel, 2)).toThrow(/converted only to 1, 3 or 4 channels/);
  });
});

describe('cropBox', () => {
  it('takes the whole image when stretching', () => {
    expect(cropBox(100, 200, 10, 10, 'stretch')).toEqual({ top: 0, left: 0, height: 100, width: 200 });
  });

  it('centres a square crop of a wide image', () => {
    expect(cropBox(100, 200, 10, 10, 'center-crop')).toEqual({ top: 0, left: 50, height: 100, width: 100 });
  });

  it('centres a square crop of a tall image', () => {
    expect(cropBox(300, 100, 32, 32, 'center-crop')).toEqual({ top: 100, left: 0, height: 100, width: 100 });
  });

  it('keeps the target aspect ratio for non-square outputs', () => {
    // 2:1 output from a 100 × 100 image: 100 wide, 50 high, centred vertically.
    expect(cropBox(100, 100, 10, 20, 'center-crop')).toEqual({ top: 25, left: 0, height: 50, width: 100 });
  });
});

describe('resizeBilinearBox', () => {
  it('averages a 2x2 image into one pixel', () => {
    const pixels = new Float32Array([0, 10, 20, 30]);
    const out = resizeBilinearBox(pixels, 2, 1, { top: 0, left: 0, height: 2, width: 2 }, 1, 1);
    expect(out[0]).toBeCloseTo(15, 5);
  });

  it('upscales with half-pixel centres', () => {
    // Source x positions of the four outputs: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    const out = resizeBilinearBox(new Float32Array([0, 10]), 2, 1, { top: 0, left: 0, height: 1, width: 2 }, 1, 4);
    expect(Array.from(out)).toEqual([0, 2.5, 7.5, 10]);
  });

  it('reads only the crop box', () => {
    // 1 × 4 image, box over columns 2 and 3 (values 30 and 40), resized to one pixel.
    const out = resizeBilinearBox(new Float32Array([10, 20, 30, 40]), 4, 1, { top: 0, left: 2, height: 1, width: 2 }, 1, 1);
    expect(out[0]).toBeCloseTo(35, 5);
  });

  it('interpolates each channel separately', () => {
    const pixels = new Float32Array([0, 100, 10, 200]); // two pixels of two channels
    const out = resizeBilinearBox(pixels, 2, 2, { top: 0, left: 0, height: 1, width: 2 }, 1, 1);
    expect(out[0]).toBeCloseTo(5, 5);
    expect(out[1]).toBeCloseTo(150, 5);
  });
});

describe('scalePixels', () => {
  const one = (scale: Preprocessing['scale'], value: number, mean = [0.5], std = [0.25]) =>
    scalePixels(new Float32Array([value]), 1, { resize: 'stretch', scale, mean, std })[0];

  it('maps bytes to [0, 1]', () => {
    expect(one('unit', 255)).toBeCloseTo(1, 6);
    expect(one('unit', 51)).toBeCloseTo(0.2, 6);
  });

  it('maps bytes to [-1, 1]', () => {
    expect(one('symmetric', 0)).toBeCloseTo(-1, 6);
    expect(one('symmetric', 127.5)).toBeCloseTo(0, 6);
    expect(one('symmetric', 255)).toBeCloseTo(1, 6);
  });

  it('leaves bytes as they are', () => {
    expect(one('bytes', 200)).toBe(200);
  });

  it('standardises with mean and std on the [0, 1] scale', () => {
    // (255 / 255 − 0.5) / 0.25
    expect(one('mean-std', 255)).toBeCloseTo(2, 6);
  });

  it('uses each channel its own mean and std', () => {
    const settings = normalizePreprocessing({ resize: 'stretch', scale: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, 3);
    const out = scalePixels(new Float32Array([0, 255, 51, 0, 255, 51]), 3, settings);
    const expected = [(0 - 0.485) / 0.229, (1 - 0.456) / 0.224, (0.2 - 0.406) / 0.225];
    for (let i = 0; i < 6; i++) expect(out[i]).toBeCloseTo(expected[i % 3], 5);
  });
});

describe('normalizePreprocessing', () => {
  it('repeats one mean for every channel', () => {
    expect(normalizePreprocessing({ ...BYTES, mean: [0.5] }, 3).mean).toEqual([0.5, 0.5, 0.5]);
  });

  it('averages three means for a gray model', () => {
    expect(normalizePreprocessing({ ...BYTES, mean: [0.3, 0.6, 0.9], std: [1, 1, 1] }, 1).mean[0]).toBeCloseTo(0.6, 10);
  });

  it('rejects a zero std for mean-std scaling', () => {
    expect(() => normalizePreprocessing({ ...BYTES, scale: 'mean-std', std: [0.2, 0, 0.2] }, 3)).toThrow(PeakPruneError);
    expect(() => normalizePreprocessing({ ...BYTES, scale: 'mean-std', std: [0.2, 0, 0.2] }, 3)).toThrow(/std value must be positive/);
  });

  it('rejects two means for three channels', () => {
    expect(() => normalizePreprocessing({ ...BYTES, mean: [0.1, 0.2] }, 3)).toThrow(/Give 1 or 3 mean values/);
  });

  it('rejects an unknown scale', () => {
    expect(() => normalizePreprocessing({ ...BYTES, scale: 'percent' as Preprocessing['scale'] }, 1)).toThrow(/Pixel scaling "percent" is unknown/);
  });
});

describe('preprocessImage', () => {
  const row = grayRow([10, 20, 30, 40]);

  it('stretches a wide image to one pixel', () => {
    // Stretch: source position 0.5 · 4 − 0.5 = 1.5, between 20 and 30.
    const out = preprocessImage(row, [1, 1, 1], normalizePreprocessing(BYTES, 1));
    expect(out[0]).toBeCloseTo(25, 4);
  });

  it('centre-crops a wide image to one pixel', () => {
    // Centre crop of width 1 starts at floor((4 − 1) / 2) = 1, the pixel of value 20.
    const out = preprocessImage(row, [1, 1, 1], normalizePreprocessing({ ...BYTES, resize: 'center-crop' }, 1));
    expect(out[0]).toBeCloseTo(20, 4);
  });

  it('scales an image that already has the model size', () => {
    const out = preprocessImage(grayRow([0, 255]), [1, 2, 3], normalizePreprocessing({ ...BYTES, scale: 'symmetric' }, 3));
    expect(Array.from(out)).toEqual([-1, -1, -1, 1, 1, 1]);
  });

  it('turns an RGBA image into gray input', () => {
    const red = { width: 1, height: 1, data: new Uint8Array([255, 0, 0, 0]) };
    const out = preprocessImage(red, [1, 1, 1], normalizePreprocessing({ ...BYTES, scale: 'unit' }, 1));
    expect(out[0]).toBeCloseTo(0.299, 5);
  });
});

describe('previewRgba', () => {
  it('undoes mean-std scaling', () => {
    const settings = normalizePreprocessing({ resize: 'stretch', scale: 'mean-std', mean: [0.5], std: [0.25] }, 1);
    const values = scalePixels(new Float32Array([0, 102, 255]), 1, settings);
    const preview = previewRgba(values, [1, 3, 1], settings);
    expect(Array.from(preview)).toEqual([0, 0, 0, 255, 102, 102, 102, 255, 255, 255, 255, 255]);
  });

  it('clamps values outside the byte range', () => {
    const settings = normalizePreprocessing(BYTES, 3);
    const preview = previewRgba(new Float32Array([-20, 300, 7]), [1, 1, 3], settings);
    expect(Array.from(preview)).toEqual([0, 255, 7, 255]);
  });
});
