// The shipped Fashion-MNIST network with its calibration images, read from public/ in Node.
// The suite's other model, VGG-16, is built in vgg16.ts.
import * as tf from '@tensorflow/tfjs';

import { loadLayersModelFromFiles } from '../../src/cli/load-model';
import { readSprite, selectSamples } from '../../src/cli/images';
import type { SampleSet } from '../../src/core/types';
import type { BenchModel } from './suite';

/** Loads public/model and the first `count` shipped calibration images (at most 1,000 exist). */
export async function loadShipped(count: number): Promise<BenchModel> {
  const model = await loadLayersModelFromFiles('public/model/model.json');
  const sprite = await readSprite('public/samples/calibration.png', 'public/samples/calibration.json');
  const available = sprite.labels.length;
  if (count > available) {
    throw new Error(`BENCH_APOZ_IMAGES is ${count}, but only ${available} calibration images are shipped; use ${available} or fewer.`);
  }
  const subset: SampleSet = selectSamples(sprite, Array.from({ length: count }, (_, i) => i));
  const [h, w, c] = subset.shape;
  return { name: 'shipped', model, images: tf.tensor4d(subset.pixels, [count, h, w, c]) };
}
