// Colours shared by the charts: a categorical palette for clusters and a diverging scale for
// weights. Both stay readable under the common forms of colour blindness.
import { interpolateRdBu, rgb } from 'd3';

/**
 * The Okabe–Ito colour-blind-safe categorical colours without black, because the charts use
 * black outlines to mark cluster centers.
 */
export const CLUSTER_COLORS: readonly string[] = [
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#009E73', // bluish green
  '#F0E442', // yellow
  '#0072B2', // blue
  '#D55E00', // vermilion
  '#CC79A7', // reddish purple
];

/** Colour of filters that belong to no cluster (a label outside the list of centers). */
export const UNASSIGNED_COLOR = '#999999';

/** Colour of a weight that is NaN. */
export const MISSING_VALUE_COLOR = '#7F7F7F';

/**
 * Returns the colour of cluster k. The palette cycles when there are more clusters than colours,
 * so charts must mark centers by shape as well. A negative or non-integer k is unassigned.
 */
export function clusterColor(k: number): string {
  if (!Number.isInteger(k) || k < 0) return UNASSIGNED_COLOR;
  return CLUSTER_COLORS[k % CLUSTER_COLORS.length];
}

/** Returns the largest |v| over the finite entries of values, or 0 when there is none. */
export function maxAbsFinite(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]);
    if (Number.isFinite(magnitude) && magnitude > max) max = magnitude;
  }
  return max;
}

/** Number of entries in the lookup table built by `divergingLut`. It is odd, so 0 has its own entry. */
export const LUT_SIZE = 257;

/**
 * Maps t in [0, 1] to the diverging colour: 0 is blue (most negative), 0.5 white (zero),
 * 1 red (most positive). d3's RdBu runs from red to blue, so t is reversed.
 */
export function divergingInterpolator(t: number): string {
  return interpolateRdBu(1 - t);
}

/**
 * Builds an RGBA lookup table of LUT_SIZE colours along `divergingInterpolator`, for filling
 * canvas pixels without parsing a colour string per pixel.
 */
export function divergingLut(): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const colour = rgb(divergingInterpolator(i / (LUT_SIZE - 1)));
    lut.set([colour.r, colour.g, colour.b, 255], i * 4);
  }
  return lut;
}

/**
 * Returns the lookup-table index of value v on a scale symmetric around 0 that spans
 * [−maxAbs, maxAbs]. Values outside the span, ±Infinity included, clamp to the ends, and 0 maps
 * to the middle. NaN returns −1. With maxAbs 0 or not finite, every finite value is drawn as 0.
 */
export function divergingIndex(v: number, maxAbs: number): number {
  if (Number.isNaN(v)) return -1;
  const middle = (LUT_SIZE - 1) / 2; // an integer because LUT_SIZE is odd
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) {
    if (v === Infinity) return LUT_SIZE - 1;
    if (v === -Infinity) return 0;
    return middle;
  }
  const t = Math.min(1, Math.max(-1, v / maxAbs));
  return Math.round(middle + t * middle);
}

/** Returns the CSS colour of value v on the symmetric diverging scale (see `divergingIndex`). */
export function divergingColor(v: number, maxAbs: number): string {
  const index = divergingIndex(v, maxAbs);
  if (index < 0) return MISSING_VALUE_COLOR;
  return divergingInterpolator(index / (LUT_SIZE - 1));
}
