// VGG-16 for 32×32×3 inputs (the CIFAR variant) with seeded random weights and noise images:
// the suite's large model. Plain tfjs, so it builds in Node and in the browser alike.
import * as tf from '@tensorflow/tfjs';

import type { BenchModel } from './suite';

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
