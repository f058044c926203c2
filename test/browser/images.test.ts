import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openWorkbench, waitForStatus, waitForText, workerMemory, type Workbench } from './harness';
import { encodeBmp, encodeGif, encodeJpeg, encodePng, solid, spriteTiles } from './image-files';
import { ANALYSED, ANALYSIS_TIMEOUT_MS } from './workbench-page';

const LOAD_TIMEOUT_MS = 60_000;

/** Counts both sets under the default split: each class of n ≥ 2 images sends round(0.3 n) to evaluation, at least 1 and at most n − 1. */
function expectedCounts(labels: readonly number[]): { calibration: number; evaluation: number } {
  const sizes = new Map<number, number>();
  for (const label of labels) sizes.set(label, (sizes.get(label) ?? 0) + 1);
  let evaluation = 0;
  for (const size of sizes.values()) evaluation += size < 2 ? 0 : Math.min(size - 1, Math.max(1, Math.round(0.3 * size)));
  return { calibration: labels.length - evaluation, evaluation };
}

/**
 * Waits until the image summary reads `counts`, then for the analysis that follows every load.
 * The analysis job starts in the same store update that shows the summary, so an "Analysed"
 * status seen afterwards is the new one.
 */
async function waitForLoad(bench: Workbench, counts: string): Promise<void> {
  await waitForText(bench.page.getByTestId('image-counts'), counts, LOAD_TIMEOUT_MS, 'image counts');
  await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
}

/** Returns the RGBA bytes of the top-left pixel of every preview canvas, in order. */
async function previewPixels(bench: Workbench): Promise<number[][]> {
  return bench.page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLCanvasElement>('[data-testid="image-previews"] canvas'), (canvas) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, 1, 1).data;
      return [data[0], data[1], data[2], data[3]];
    }),
  );
}

describe('loading your own images', () => {
  let bench: Workbench;
  const folders: string[] = [];

  beforeAll(async () => {
    bench = await openWorkbench('?calibration=32&evaluation=32');
    await waitForStatus(bench.page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
  });

  afterAll(async () => {
    await bench?.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('loads an image folder and scores it', async () => {
    const { page } = bench;
    const tiles = spriteTiles(60);
    const root = mkdtempSync(join(tmpdir(), 'peakprune-images-'));
    folders.push(root);
    tiles.forEach((tile, i) => {
      mkdirSync(join(root, 'fashion', String(tile.label)), { recursive: true });
      writeFileSync(join(root, 'fashion', String(tile.label), `${i}.png`), tile.png);
    });
    writeFileSync(join(root, 'fashion', 'readme.txt'), 'not an image');
    const memoryBefore = await workerMemory(page);

    await page.evaluate(() => {
      const durations: number[] = [];
      new PerformanceObserver((list) => durations.push(...list.getEntries().map((entry) => entry.duration))).observe({ type: 'longtask' });
      (window as unknown as { longTasks: number[] }).longTasks = durations;
    });
    const started = Date.now();
    await page.getByTestId('image-folder').setInputFiles(join(root, 'fashion'));
    const expected = expectedCounts(tiles.map((tile) => tile.label));
    await waitForLoad(
      bench,
      `60 images from fashion/ (one folder per class): ${expected.calibration} calibration, ${expected.evaluation} evaluation.`,
    );
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(`60 images loaded and analysed in ${Date.now() - started} ms; main-thread long tasks: ${JSON.stringify(longTasks.map(Math.round))} ms`);
    expect(await page.getByTestId('skipped-images').textContent(), 'skipped files').toContain('fashion/readme.txt: not an image file');
    expect(await page.getByTestId('image-previews').locator('canvas').count(), 'previews').toBe(8);

    await page.getByTestId('measure-original').click();
    await waitForStatus(page, /^The unpruned model scores top-1 /, LOAD_TIMEOUT_MS, bench.errors);
    const top1Text = (await page.getByTestId('original-top1').textContent()) ?? '';
    const top1 = Number(/([\d.]+) %$/.exec(top1Text.trim())?.[1]);
    // The shipped model scores about 90 % on Fashion-MNIST; a wrong label mapping or scaling would be near 10 %.
    console.log(`top-1 of the shipped model on the evaluation part of 60 sprite tiles: ${top1} %`);
    expect(top1, 'top-1 of the unpruned model in percent').toBeGreaterThan(60);
    expect(await page.getByTestId('chance-hint').count(), 'near-chance hint').toBe(0);
    const memoryAfter = await workerMemory(page);
    expect(memoryAfter.numTensors, 'worker tensors after loading and analysing').toBe(memoryBefore.numTensors);
    expect(memoryAfter.numBytes, 'worker tensor bytes after loading and analysing').toBe(memoryBefore.numBytes);
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('loads a zip and lists the broken image', async () => {
    const { page } = bench;
    const tiles = spriteTiles(40);
    const entries: Record<string, Uint8Array> = {};
    tiles.forEach((tile, i) => (entries[`train/${tile.label}/${i}.png`] = new Uint8Array(tile.png)));
    entries['train/3/broken.png'] = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5]);
    entries['__MACOSX/train/._0.png'] = new Uint8Array([1, 2, 3]);
    const zip = Buffer.from(zipSync(entries));

    await page.getByTestId('image-files').setInputFiles({ name: 'fashion.zip', mimeType: 'application/zip', buffer: zip });
    const expected = expectedCounts(tiles.map((tile) => tile.label));
    await waitForLoad(
      bench,
      `40 images from fashion.zip (one folder per class): ${expected.calibration} calibration, ${expected.evaluation} evaluation.`,
    );
    const skipped = await page.getByTestId('skipped-images').textContent();
    expect(skipped, 'skipped broken image').toContain('train/3/broken.png: cannot be decoded');
    expect(skipped, 'archiver files are not listed').not.toContain('__MACOSX');
    expect(bench.errors, 'console errors').toEqual([]);
  });

  it('loads flat images labelled by a CSV', async () => {
    const { page } = bench;
    const tiles = spriteTiles(30);
    const csv = ['filename,label', ...tiles.map((tile, i) => `img_${i}.png,${tile.label}`)].join('\r\n');
    const files = tiles.map((tile, i) => ({ name: `img_${i}.png`, mimeType: 'image/png', buffer: tile.png }));
    files.push({ name: 'labels.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    await page.getByTestId('image-files').setInputFiles(files);
    const expected = expectedCounts(tiles.map((tile) => tile.label));
    await waitForLoad(bench, `30 images from 31 files (labelled by CSV): ${expected.calibration} calibration, ${expected.evaluation} evaluation.`);
  });

  it('shows the mapping when class counts differ', async () => {
    const { page } = bench;
    const tiles = spriteTiles(60).filter((tile) => tile.label < 3);
    const entries: Record<string, Uint8Array> = {};
    tiles.forEach((tile, i) => (entries[`${tile.label}/${i}.png`] = new Uint8Array(tile.png)));
    await page.getByTestId('image-files').setInputFiles({ name: 'three.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) });
    const expected = expectedCounts(tiles.map((tile) => tile.label));
    await waitForLoad(bench, `${tiles.length} images from three.zip (one folder per class): ${expected.calibration} calibration, ${expected.evaluation} evaluation.`);

    const mapping = page.getByTestId('class-mapping');
    expect(await mapping.getAttribute('open'), 'mapping opens by itself').not.toBeNull();
    expect(await mapping.textContent(), 'mismatch note').toContain('The images have 3 classes but the model has 10 outputs; check the mapping below.');
    expect(await mapping.locator('tbody tr').allTextContents(), 'mapping rows').toEqual(
      [0, 1, 2].map((label) => `${label}${tiles.filter((tile) => tile.label === label).length}${label}`),
    );
  });

  it('rejects labels outside the model classes', async () => {
    const { page } = bench;
    const countsBefore = await page.getByTestId('image-counts').textContent();
    const tile = spriteTiles(1)[0];
    const zip = Buffer.from(zipSync({ 'set/3/a.png': new Uint8Array(tile.png), 'set/12/b.png': new Uint8Array(tile.png) }));

    await page.getByTestId('image-files').setInputFiles({ name: 'wrong.zip', mimeType: 'application/zip', buffer: zip });
    const message =
      'Class "12" (for example set/12/b.png) maps to output 12, but the model has only 10 outputs; remove that class or load a labels file that names the model\'s classes.';
    await waitForText(page.getByTestId('image-error'), message, LOAD_TIMEOUT_MS, 'message beside the picker');
    expect(await page.getByTestId('image-counts').textContent(), 'earlier images kept').toBe(countsBefore);
  });

  it('rejects a zip bomb before inflating', async () => {
    const { page } = bench;
    const countsBefore = await page.getByTestId('image-counts').textContent();
    // 1.2 GiB of zeros declared in three entries; the zip itself is a few kilobytes after patching the sizes.
    const zip = zipSync({ 'a/1.png': new Uint8Array(1000), 'a/2.png': new Uint8Array(1000), 'b/3.png': new Uint8Array(1000) });
    const view = new DataView(zip.buffer);
    for (let offset = 0; offset + 46 <= zip.length; offset++) {
      if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, 400 * 1024 * 1024, true);
    }

    await page.getByTestId('image-files').setInputFiles({ name: 'bomb.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    const message = 'bomb.zip would expand to 1.2 GiB, more than the limit of 1.0 GiB; pick fewer or smaller images.';
    await waitForText(page.getByTestId('image-error'), message, LOAD_TIMEOUT_MS, 'message beside the picker');
    expect(await page.getByTestId('image-counts').textContent(), 'earlier images kept').toBe(countsBefore);
  });

  it('converts every format to one channel', async () => {
    const { page } = bench;
    // Chromium encodes the WebP file, since no WebP encoder is installed for Node.
    const webp = await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(16, 16);
      const context = canvas.getContext('2d')!;
      context.fillStyle = 'rgb(0, 0, 255)';
      context.fillRect(0, 0, 16, 16);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/webp', quality: 1 })).arrayBuffer());
      return Array.from(bytes);
    });
    const files = [
      { name: 'gray.png', mimeType: 'image/png', buffer: encodePng(28, 28, solid(28, 28, [200, 200, 200, 255]), 0) },
      { name: 'red.png', mimeType: 'image/png', buffer: encodePng(40, 30, solid(40, 30, [255, 0, 0, 255]), 2) },
      { name: 'green.png', mimeType: 'image/png', buffer: encodePng(20, 20, solid(20, 20, [0, 255, 0, 255]), 6) },
      { name: 'gray.jpg', mimeType: 'image/jpeg', buffer: encodeJpeg(32, 32, solid(32, 32, [100, 100, 100, 255])) },
      { name: 'blue.bmp', mimeType: 'image/bmp', buffer: encodeBmp(10, 10, solid(10, 10, [0, 0, 255, 255])) },
      { name: 'red-then-black.gif', mimeType: 'image/gif', buffer: encodeGif([[255, 0, 0], [0, 0, 0]]) },
      { name: 'blue.webp', mimeType: 'image/webp', buffer: Buffer.from(webp) },
    ];

    await page.getByTestId('image-files').setInputFiles(files);
    await waitForLoad(bench, '7 images from 7 files (unlabelled): 7 calibration, no evaluation images.');
    expect(await page.getByTestId('accuracy-disabled').count(), 'note on disabled accuracy').toBe(1);
    // BT.601 luma: red 0.299 × 255 = 76.2, green 0.587 × 255 = 149.7, blue 0.114 × 255 = 29.1.
    const pixels = await previewPixels(bench);
    expect(pixels.map((rgba) => rgba[0])).toHaveLength(7);
    expect(pixels[0][0], 'gray PNG').toBe(200);
    expect(pixels[1][0], 'RGB PNG').toBe(76);
    expect(pixels[2][0], 'RGBA PNG').toBe(150);
    expect(Math.abs(pixels[3][0] - 100), 'JPEG, lossy by at most 1').toBeLessThanOrEqual(1);
    expect(pixels[4][0], 'BMP').toBe(29);
    expect(pixels[5][0], 'first frame of a two-frame GIF').toBe(76);
    expect(Math.abs(pixels[6][0] - 29), 'WebP, lossy by at most 3').toBeLessThanOrEqual(3);
    expect(bench.errors, 'console errors').toEqual([]);
  });
});
