// Image files made in Node for the browser tests: Fashion-MNIST tiles cut from the shipped
// sprite, solid-colour images in several formats, and zips of them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import { ROOT } from './harness';

export interface Tile {
  label: number;
  png: Buffer;
}

/** Cuts the first `count` 28 × 28 tiles of the shipped evaluation sprite into gray PNG files. */
export function spriteTiles(count: number): Tile[] {
  const meta = JSON.parse(readFileSync(resolve(ROOT, 'public/samples/evaluation.json'), 'utf8')) as { tile: [number, number]; columns: number; labels: number[] };
  const sprite = PNG.sync.read(readFileSync(resolve(ROOT, 'public/samples/evaluation.png')));
  const [height, width] = meta.tile;
  const tiles: Tile[] = [];
  for (let i = 0; i < count; i++) {
    const top = Math.floor(i / meta.columns) * height;
    const left = (i % meta.columns) * width;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const source = ((top + y) * sprite.width + left + x) * 4;
        rgba.set(sprite.data.subarray(source, source + 4), (y * width + x) * 4);
      }
    }
    tiles.push({ label: meta.labels[i], png: encodePng(width, height, rgba, 0) });
  }
  return tiles;
}

/** Encodes RGBA bytes as PNG; colorType 0 stores gray (from R), 2 RGB, 6 RGBA. */
export function encodePng(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 6): Buffer {
  const png = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

/** RGBA bytes of a width × height image of one colour. */
export function solid(width: number, height: number, rgba: [number, number, number, number]): Uint8Array {
  const bytes = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) bytes.set(rgba, p * 4);
  return bytes;
}

export function encodeJpeg(width: number, height: number, rgba: Uint8Array): Buffer {
  return jpeg.encode({ data: Buffer.from(rgba), width, height }, 100).data;
}

/** Encodes a 24-bit uncompressed BMP (rows bottom-up, BGR, each row padded to 4 bytes). */
export function encodeBmp(width: number, height: number, rgba: Uint8Array): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const out = Buffer.alloc(size);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const source = (y * width + x) * 4;
      out[row + x * 3] = rgba[source + 2];
      out[row + x * 3 + 1] = rgba[source + 1];
      out[row + x * 3 + 2] = rgba[source];
    }
  }
  return out;
}

/**
 * Encodes a 1 × 1 GIF whose frames each show one colour of `colours`, the first frame first.
 * Each frame's LZW data is the 3-bit codes clear (4), the palette index, end (5), packed from the
 * low bit up: index 0 gives the bytes 0x44 0x01, index 1 gives 0x4c 0x01.
 */
export function encodeGif(colours: readonly [number, number, number][]): Buffer {
  if (colours.length < 1 || colours.length > 2) throw new Error('encodeGif takes one or two colours.');
  const palette = [...colours[0], ...(colours[1] ?? [0, 0, 0])];
  const header = [...Buffer.from('GIF89a', 'ascii'), 1, 0, 1, 0, 0x80, 0, 0, ...palette];
  const frames = colours.flatMap((_, index) => [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, index === 0 ? 0x44 : 0x4c, 0x01, 0]);
  return Buffer.from([...header, ...frames, 0x3b]);
}
