// The two models the suite measures: the shipped Fashion-MNIST network and a VGG-16 for
// 32×32×3 inputs with seeded random weights, each with its calibration images.
import * as tf from '@tensorflow/tfjs';

import { loadLayersModelFromFiles } from '../../src/cli/load-model';
import { readSprite, selectSamples } from '../../src/cli/images';
import type { SampleSet } from '../../src/core/types';

export type BenchModelName = 'shipped' | 'vgg16';

export interface BenchModel {
  name: BenchModelName;
  model: tf.LayersModel;
  /** Calibration images [N, H, W, C] for APoZ; the caller disposes them. */
  images: tf.Tensor4D;
}

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

/** Filters per convolution block of VGG-16 ('M' marks a 2×2 max pooling). */
const VGG16_LAYOUT: readonly (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];

/**
 * Builds the CIFAR-style VGG-16: 13 Conv2D 3×3 'same' layers with fused ReLU, five max poolings,
 * Flatten, Dense 512 (ReLU) and Dense 10 (softmax), about 15.0 M parameters. Weights are He-normal
 * with fixed seeds, so every run measures the same model. Images are seeded uniform noise in [0, 1).
 */
export function buildVgg16(imageCount: number, seed = 1): BenchModel {
  const model = tf.sequential({ name: 'vgg16_cifar' });
  let conv = 0;
  for (const entry of VGG16_LAYOUT) {
    if (entry === 'M') {
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      continue;
    }
    conv += 1;
    model.add(
      tf.layers.conv2d({
        name: `conv${conv}`,
        filters: entry,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + conv }),
        ...(conv === 1 ? { inputShape: [32, 32, 3] } : {}),
      }),
    );
  }
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ name: 'fc1', units: 512, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 100 }) }));
  model.add(tf.layers.dense({ name: 'fc2', units: 10, activation: 'softmax', kernelInitializer: tf.initializers.heNormal({ seed: seed + 101 }) }));
  const images = tf.randomUniform([imageCount, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  return { name: 'vgg16', model, images };
}
