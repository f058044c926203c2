// Writes small Keras files of a tiny convolutional model to test/fixtures/keras/. They are for
// trying the loaders by hand: drop them on the page, or pass them to `peakprune inspect --model`.
//   tiny-conv.h5      legacy HDF5, as tf.keras model.save("x.h5") lays it out
//   tiny-conv.keras   Keras 3 zip of config.json, metadata.json and model.weights.h5
// The tests build their own files in memory with the same writer.
// Usage: npx tsx scripts/make-keras-fixtures.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';

import { kerasH5, kerasV3 } from '../test/fixtures/keras-writer';

const OUT = resolve(import.meta.dirname, '../test/fixtures/keras');

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  // 28×28×1 input and 10 outputs, so the files fit the images the page ships with.
  const model = tf.sequential({
    name: 'tiny_conv',
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'dense' }),
    ],
  });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'tiny-conv.h5'), await kerasH5(model));
  writeFileSync(join(OUT, 'tiny-conv.keras'), await kerasV3(model));
  model.dispose();
  console.log(`Wrote tiny-conv.h5 and tiny-conv.keras to ${OUT}`);
}

await main();
