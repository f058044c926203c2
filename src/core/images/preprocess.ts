// Turns one decoded RGBA image into the model's input: channel conversion, crop or stretch to the
// model's height and width, then pixel scaling. Pure arithmetic, shared by the worker and tests.
import { PeakPruneError } from '../errors';

/** Resizing rule for an image whose aspect ratio differs from the model's input. */
export type ResizeMode = 'stretch' | 'center-crop';

/**
 * Pixel scaling applied after resizing, from byte values b in [0, 255]:
 * 'unit' b / 255, 'symmetric' b / 127.5 − 1, 'bytes' b unchanged,
 * 'mean-std' (b / 255 − mean[c]) / std[c] per channel c.
 */
export type PixelScale = 'unit' | 'symmetric' | 'bytes' | 'mean-std';

export interface Preprocessing {
  resize: ResizeMode;
  scale: PixelScale;
  /** Per-channel means on the [0, 1] scale; one value applies to every channel. Used by 'mean-std'. */
  mean: number[];
  /** Per-channel standard deviations on the [0, 1] scale, all positive. Used by 'mean-std'. */
  std: number[];
}

/** ImageNet statistics on the [0, 1] scale, the usual values for models trained with torchvision. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406];
export const IMAGENET_STD = [0.229, 0.224, 0.225];

export const DEFAULT_PREPROCESSING: Preprocessing = {
  resize: 'stretch',
  scale: 'unit',
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
};

/** A decoded image: 4 bytes (R, G, B, A) per pixel, row-major. */
export interface RgbaPixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** A rectangle of source pixels, in whole pixels. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Checks preprocessing settings for a model with `channels` input channels and returns them with
 * mean and std expanded to one value per channel. Throws `invalid-options` naming the bad field.
 */
export function normalizePreprocessing(settings: Preprocessing, channels: number): Preprocessing {
  if (settings.resize !== 'stretch' && settings.resize !== 'center-crop') {
    throw new PeakPruneError('invalid-options', `Resize mode "${String(settings.resize)}" is unknown; choose stretch or center-crop.`);
  }
  if (!['unit', 'symmetric', 'bytes', 'mean-std'].includes(settings.scale)) {
    throw new PeakPruneError('invalid-options', `Pixel scaling "${String(settings.scale)}" is unknown; choose [0, 1], [-1, 1], 0-255 or mean/std.`);
  }
  const mean = perChannel(settings.mean, channels, 'mean');
  const std = perChannel(settings.std, channels, 'std');
  if (settings.scale === 'mean-std' && std.some((value) => !(value > 0))) {
    throw new PeakPruneError('invalid-options', `Every std value must be positive; got ${std.join(', ')}.`);
  }
  return { resize: settings.resize, scale: settings.scale, mean, std };
}

function perChannel(values: readonly number[], channels: number, field: string): number[] {
  if (!values.every(Number.isFinite)) {
    throw new PeakPruneError('invalid-options', `The ${field} values must be finite numbers; got ${values.join(', ')}.`);
  }
  if (values.length === channels) return [...values];
  if (values.length === 1) return new Array<number>(channels).fill(values[0]);
  // Three ImageNet-style values for a one-channel model collapse to their average.
  if (channels === 1 && values.length === 3) return [(values[0] + values[1] + values[2]) / 3];
  throw new PeakPruneError('invalid-options', `Give 1 or ${channels} ${field} values for a ${channels}-channel model; got ${values.length}.`);
}

/**
 * Converts RGBA bytes to `channels` values per pixel, still in [0, 255]: 1 channel is the
 * ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B, 3 channels R, G, B, and 4 channels R, G, B, A.
 * Alpha is dropped, not composited, for 1 and 3 channels, as the command-line tool does.
 */
export function rgbaToChannels(image: RgbaPixels, channels: number): Float32Array {
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new PeakPruneError('invalid-images', `The model expects ${channels} input channels; images can be converted only to 1, 3 or 4 channels.`);
  }
  const pixelCount = image.width * image.height;
  const out = new Float32Array(pixelCount * channels);
  const rgba = image.data;
  for (let p = 0; p < pixelCount; p++) {
    const source = 4 * p;
    if (channels === 1) {
      out[p] = 0.299 * rgba[source] + 0.587 * rgba[source + 1] + 0.114 * rgba[source + 2];
    } else {
      const target = channels * p;
      out[target] = rgba[source];
      out[target + 1] = rgba[source + 1];
      out[target + 2] = rgba[source + 2];
      if (channels === 4) out[target + 3] = rgba[source + 3];
    }
  }
  return out;
}

/**
 * Returns the source region that is resized to the model's size. For 'stretch' it is the whole
 * image. For 'center-crop' it is the largest centred region with the model's aspect ratio, and
 * the odd pixel of an uneven margin goes to the right or bottom.
 */
export function cropBox(height: number, width: number, outHeight: number, outWidth: number, mode: ResizeMode): CropBox {
  if (mode === 'stretch') return { top: 0, left: 0, height, width };
  if (width * outHeight > height * outWidth) {
    const cropWidth = Math.max(1, Math.round((height * outWidth) / outHeight));
    return { top: 0, left: Math.floor((width - cropWidth) / 2), height, width: cropWidth };
  }
  const cropHeight = Math.max(1, Math.round((width * outHeight) / outWidth));
  return { top: Math.floor((height - cropHeight) / 2), left: 0, height: cropHeight, width };
}

/**
 * Resizes the `box` region of an HWC image to outHeight × outWidth by bilinear interpolation with
 * half-pixel centres (as tf.image.resizeBilinear with halfPixelCenters). A box of the output's
 * size is copied unchanged.
 * TODO: there is no antialiasing filter, so downscaling by more than about 2× aliases.
 */
export function resizeBilinearBox(
  pixels: Float32Array,
  width: number,
  channels: number,
  box: CropBox,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  const rowTaps = bilinearTaps(box.height, outHeight, box.top);
  const columnTaps = bilinearTaps(box.width, outWidth, box.left);
  for (let y = 0; y < outHeight; y++) {
    const [y0, y1, fy] = rowTaps[y];
    for (let x = 0; x < outWidth; x++) {
      const [x0, x1, fx] = columnTaps[x];
      const topLeft = (y0 * width + x0) * channels;
      const topRight = (y0 * width + x1) * channels;
      const bottomLeft = (y1 * width + x0) * channels;
      const bottomRight = (y1 * width + x1) * channels;
      const target = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        const top = pixels[topLeft + c] + (pixels[topRight + c] - pixels[topLeft + c]) * fx;
        const bottom = pixels[bottomLeft + c] + (pixels[bottomRight + c] - pixels[bottomLeft + c]) * fx;
        out[target + c] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/** For each output index along one axis: the two source indices and the weight of the second. */
function bilinearTaps(size: number, outSize: number, offset: number): [number, number, number][] {
  const step = size / outSize;
  const taps: [number, number, number][] = [];
  for (let i = 0; i < outSize; i++) {
    const position = Math.min(Math.max((i + 0.5) * step - 0.5, 0), size - 1);
    const first = Math.floor(position);
    const second = Math.min(first + 1, size - 1);
    taps.push([offset + first, offset + second, position - first]);
  }
  return taps;
}

/** Scales byte-range values in place by `settings.scale`. `settings` must be normalized. */
export function scalePixels(values: Float32Array, channels: number, settings: Preprocessing): Float32Array {
  switch (settings.scale) {
    case 'unit':
      for (let i = 0; i < values.length; i++) values[i] /= 255;
      break;
    case 'symmetric':
      for (let i = 0; i < values.length; i++) values[i] = values[i] / 127.5 - 1;
      break;
    case 'bytes':
      break;
    case 'mean-std':
      for (let i = 0; i < values.length; i++) {
        const c = i % channels;
        values[i] = (values[i] / 255 - settings.mean[c]) / settings.std[c];
      }
      break;
  }
  return values;
}

/** Inverts `scalePixels`, giving byte-range values again; used to draw previews. */
export function unscalePixel(value: number, channel: number, settings: Preprocessing): number {
  switch (settings.scale) {
    case 'unit':
      return value * 255;
    case 'symmetric':
      return (value + 1) * 127.5;
    case 'bytes':
      return value;
    case 'mean-std':
      return (value * settings.std[channel] + settings.mean[channel]) * 255;
  }
}

/**
 * Converts one decoded image to the model's input of shape [height, width, channels]:
 * channels first (see rgbaToChannels), then crop and resize, then scaling.
 * `settings` must come from normalizePreprocessing.
 */
export function preprocessImage(image: RgbaPixels, shape: readonly [number, number, number], settings: Preprocessing): Float32Array {
  const [outHeight, outWidth, channels] = shape;
  const converted = rgbaToChannels(image, channels);
  const box = cropBox(image.height, image.width, outHeight, outWidth, settings.resize);
  const sameSize = image.height === outHeight && image.width === outWidth;
  const resized = sameSize ? converted : resizeBilinearBox(converted, image.width, channels, box, outHeight, outWidth);
  return scalePixels(resized, channels, settings);
}

/**
 * Draws a preprocessed image as RGBA bytes for a preview: values are unscaled back to bytes and
 * clamped, one channel is shown as gray, and a missing alpha is opaque.
 */
export function previewRgba(values: Float32Array, shape: readonly [number, number, number], settings: Preprocessing): Uint8ClampedArray {
  const [height, width, channels] = shape;
  const out = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    const at = (c: number) => unscalePixel(values[p * channels + c], c, settings);
    const gray = channels === 1 ? at(0) : 0;
    out[4 * p] = channels === 1 ? gray : at(0);
    out[4 * p + 1] = channels === 1 ? gray : at(1);
    out[4 * p + 2] = channels === 1 ? gray : at(2);
    out[4 * p + 3] = channels === 4 ? at(3) : 255;
  }
  return out;
}
