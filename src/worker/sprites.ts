import { PeakPruneError } from '../core/errors';
import { parseSpriteMeta, spriteToSampleSet } from '../core/sprite';
import type { SampleSet } from '../core/types';

/**
 * Fetches a sprite (a PNG of images laid out in a grid) and its JSON description, decodes the
 * PNG through an OffscreenCanvas and returns the first `limit` images as a sample set.
 */
export async function loadSprite(spriteUrl: string, metaUrl: string, limit?: number): Promise<SampleSet> {
  const metaText = await fetchOk(metaUrl).then((response) => response.text());
  const meta = parseSpriteMeta(parseJson(metaText, fileNameOf(metaUrl)), fileNameOf(metaUrl));
  const rgba = await decodePng(spriteUrl);
  const samples = spriteToSampleSet(rgba.bytes, rgba.width, rgba.height, 4, meta, fileNameOf(spriteUrl));
  return limit === undefined ? samples : firstSamples(samples, limit);
}

/** Returns the last path segment of a URL, for messages and labels. */
export function fileNameOf(url: string): string {
  const path = new URL(url, 'http://placeholder.invalid/').pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || url;
}

function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PeakPruneError('invalid-images', `${fileName} is not valid JSON (${String(error)}); use the description written with its sprite.`);
  }
}

async function fetchOk(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new PeakPruneError('invalid-images', `Could not fetch ${fileNameOf(url)} (${String(error)}); check that the server is running.`);
  }
  if (!response.ok) {
    throw new PeakPruneError('invalid-images', `Could not fetch ${fileNameOf(url)}: the server returned HTTP ${response.status} ${response.statusText}.`);
  }
  // Servers of single-page apps serve index.html with status 200 for a missing file.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new PeakPruneError('invalid-images', `Could not fetch ${fileNameOf(url)}: the server returned a web page instead, so the file is probably missing.`);
  }
  return response;
}

/** Decodes an image file to RGBA bytes without colour management, so pixel values stay exact. */
async function decodePng(url: string): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const blob = await fetchOk(url).then((response) => response.blob());
  const image = await decodeToRgba(blob, fileNameOf(url));
  return { bytes: image.data, width: image.width, height: image.height };
}

/** Largest image decoded, in pixels: 50 megapixels take 200 MB as RGBA bytes. */
export const MAX_DECODED_PIXELS = 50_000_000;

/**
 * Decodes an image Blob (any format the browser reads: PNG, JPEG, WebP, GIF's first frame, BMP)
 * to RGBA bytes through createImageBitmap and an OffscreenCanvas. Colour-space conversion and
 * alpha premultiplication are off, so stored pixel values come back unchanged.
 * Throws `invalid-images` naming `fileName` when the browser cannot decode it or it is larger
 * than MAX_DECODED_PIXELS.
 */
export async function decodeToRgba(blob: Blob, fileName: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new PeakPruneError('invalid-images', `${fileName} is not an image the browser can decode (${String(error)}).`);
  }
  const { width, height } = bitmap;
  if (width * height > MAX_DECODED_PIXELS) {
    bitmap.close();
    throw new PeakPruneError('invalid-images', `${fileName} is ${width}×${height} pixels, more than the limit of ${MAX_DECODED_PIXELS / 1e6} megapixels; scale it down first.`);
  }
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (context === null) {
    bitmap.close();
    throw new PeakPruneError('invalid-images', `Could not decode ${fileName}: the browser returned no 2D canvas context in the worker.`);
  }
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const pixels = context.getImageData(0, 0, width, height).data;
  return { data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), width, height };
}

/** Keeps the first `limit` images of a sample set (all of them when it has fewer). */
export function firstSamples(samples: SampleSet, limit: number): SampleSet {
  const total = samples.labels.length;
  const count = Math.max(0, Math.min(total, Math.floor(limit)));
  if (count === total) return samples;
  const [h, w, c] = samples.shape;
  return {
    ...samples,
    pixels: samples.pixels.slice(0, count * h * w * c),
    labels: samples.labels.slice(0, count),
  };
}
