// Page side of `npm run bench:webgl`: bundled by Vite into a page of its own, it runs the suite's
// steps on tfjs's WebGL backend and hands the figures back through `window.runBench`.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';

import { parseSpriteMeta, spriteToSampleSet } from '../../src/core/sprite';
import type { ModelFigures } from './report';
import { runModel, type BenchModel, type BenchModelName, type ModelSettings } from './suite';
import { buildVgg16 } from './vgg16';

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`Fetching ${path} returned HTTP ${response.status}.`);
  return response;
}

/** Decodes the shipped calibration sprite and returns its first `count` images as a tensor. */
async function shippedImages(count: number): Promise<tf.Tensor4D> {
  const meta = parseSpriteMeta(await (await fetchOk('samples/calibration.json')).json(), 'calibration.json');
  const bitmap = await createImageBitmap(await (await fetchOk('samples/calibration.png')).blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d', { willReadFrequently: true });
  if (context === null) throw new Error('The page returned no 2D canvas context.');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const samples = spriteToSampleSet(pixels, bitmap.width, bitmap.height, 4, meta, 'calibration.png');
  bitmap.close();
  if (count > samples.labels.length) throw new Error(`${count} APoZ images were asked for, but only ${samples.labels.length} are shipped.`);
  const [h, w, c] = samples.shape;
  return tf.tensor4d(samples.pixels.subarray(0, count * h * w * c), [count, h, w, c]);
}

async function loadModel(name: BenchModelName, settings: ModelSettings): Promise<BenchModel> {
  if (name === 'vgg16') return buildVgg16(settings.apozImages);
  // The http handler is named explicitly: Vite 8's production build drops tfjs's URL router.
  const model = await tf.loadLayersModel(tf.io.http('model/model.json'));
  return { name, model, images: await shippedImages(settings.apozImages) };
}

async function runBench(name: BenchModelName, settings: ModelSettings): Promise<ModelFigures & { leakedTensors: number }> {
  if (!(await tf.setBackend('webgl'))) throw new Error('tfjs could not start its WebGL backend in this browser.');
  const tensorsBefore = tf.memory().numTensors;
  const figures = await runModel(await loadModel(name, settings), settings);
  return { ...figures, leakedTensors: tf.memory().numTensors - tensorsBefore };
}

(window as unknown as { runBench: typeof runBench }).runBench = runBench;
