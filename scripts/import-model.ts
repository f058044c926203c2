// Converts the PyTorch weights written by train_fashion_mnist.py into the default PeakPrune model.
// It builds the same network in TensorFlow.js and copies the weights. Then it checks top-1 on the
// full Fashion-MNIST test set (cpu backend) against PyTorch's and writes public/model/ (model.json,
// group1-shard1of1.bin, MODEL_CARD.md). Run it after make-samples.ts, because the model card also
// reports accuracy on the evaluation sprite: npx tsx scripts/import-model.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';

import { loadLayersModelFromFiles } from '../src/cli/load-model';
import { parseSpriteMeta } from '../src/core/sprite';
import { CLASS_NAMES, loadSplit, type FashionMnistSplit } from './fashion-mnist';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TORCH_BASE = join(REPO_ROOT, 'scripts', '.cache', 'fashion-mnist-torch');
const MODEL_DIR = join(REPO_ROOT, 'public', 'model');
const EVALUATION_JSON = join(REPO_ROOT, 'public', 'samples', 'evaluation.json');
const SHARD_NAME = 'group1-shard1of1.bin';
const BN_EPSILON = 1e-5; // PyTorch's default; Keras would default to 1e-3.
const MAX_ACCURACY_GAP = 0.002; // maximum top-1 difference between torch and tfjs (0.2 percentage points)
const MAX_PROBABILITY_GAP = 1e-4;
const BATCH = 250;

interface TorchTensor {
  name: string;
  shape: number[];
  offset: number;
}

/** The training record train_fashion_mnist.py stores next to the weights. */
interface TorchRecord {
  torchVersion: string;
  command: string;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: string;
  threads: number;
  trainSeconds: number;
  epochLog: { epoch: number; seconds: number; loss: number; testAccuracy: number }[];
  testAccuracy: number;
  testPredictions: number[];
  firstTestProbabilities: number[][];
}

/** Measurements this script takes, for the model card. */
interface Measurements {
  tfjsCorrect: number;
  torchCorrect: number;
  agreement: number;
  testCount: number;
  evalTfjsCorrect: number;
  evalTorchCorrect: number;
  evalCount: number;
  inferenceSeconds: number;
  probabilityGap: number;
  layers: { name: string; className: string; outputShape: string; params: number }[];
  weightBytes: number;
}

function readTorchExport(): { record: TorchRecord; tensors: Map<string, tf.Tensor> } {
  const record = JSON.parse(readFileSync(`${TORCH_BASE}.json`, 'utf8')) as TorchRecord & { tensors: TorchTensor[] };
  const bytes = readFileSync(`${TORCH_BASE}.bin`);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const tensors = new Map<string, tf.Tensor>();
  for (const entry of record.tensors) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    tensors.set(entry.name, tf.tensor(values.subarray(entry.offset, entry.offset + size), entry.shape));
  }
  return { record, tensors };
}

/** Builds the network of train_fashion_mnist.py in tfjs, with the same layer names. */
function buildModel(): tf.Sequential {
  const model = tf.sequential({ name: 'fashion_mnist_vgg' });
  const filters = [16, 16, 32, 32, 64, 64];
  filters.forEach((count, i) => {
    const n = i + 1;
    model.add(
      tf.layers.conv2d({
        name: `conv${n}`,
        filters: count,
        kernelSize: 3,
        padding: 'same',
        activation: 'linear',
        useBias: true,
        ...(n === 1 ? { inputShape: [28, 28, 1] } : {}),
      }),
    );
    model.add(tf.layers.batchNormalization({ name: `bn${n}`, axis: -1, epsilon: BN_EPSILON, momentum: 0.9 }));
    model.add(tf.layers.activation({ name: `relu${n}`, activation: 'relu' }));
    if (n % 2 === 0) model.add(tf.layers.maxPooling2d({ name: `pool${n / 2}`, poolSize: 2 }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'dense1', units: 128, activation: 'relu' }));
  model.add(tf.layers.dropout({ name: 'dropout', rate: 0.3 }));
  model.add(tf.layers.dense({ name: 'dense2', units: 10, activation: 'softmax' }));
  return model;
}

/**
 * Copies PyTorch weights into the tfjs layers. Conv kernels go from [out, in, kh, kw] to
 * [kh, kw, in, out]. dense1's input is the flattened 64×3×3 map, which PyTorch flattens as
 * (C, H, W) and tfjs as (H, W, C). Viewing its [128, 576] weight as [128, 64, 3, 3] and applying
 * the conv permutation gives [3, 3, 64, 128], so the reshaped [576, 128] rows are in (H, W, C) order.
 */
function copyWeights(model: tf.Sequential, torch: Map<string, tf.Tensor>): void {
  const get = (name: string): tf.Tensor => {
    const t = torch.get(name);
    if (!t) throw new Error(`${TORCH_BASE}.json has no tensor ${name}`);
    return t;
  };
  tf.tidy(() => {
    for (let n = 1; n <= 6; n++) {
      model.getLayer(`conv${n}`).setWeights([get(`conv${n}.weight`).transpose([2, 3, 1, 0]), get(`conv${n}.bias`)]);
      model
        .getLayer(`bn${n}`)
        .setWeights(['weight', 'bias', 'running_mean', 'running_var'].map((k) => get(`bn${n}.${k}`)));
    }
    const dense1 = get('dense1.weight').reshape([128, 64, 3, 3]).transpose([2, 3, 1, 0]).reshape([576, 128]);
    model.getLayer('dense1').setWeights([dense1, get('dense1.bias')]);
    model.getLayer('dense2').setWeights([get('dense2.weight').transpose(), get('dense2.bias')]);
  });
}

/** Runs the model over a whole split in batches and returns the argmax class of every image. */
async function predictSplit(model: tf.LayersModel, data: FashionMnistSplit): Promise<Int32Array> {
  const predictions = new Int32Array(data.count);
  const size = data.rows * data.cols;
  for (let start = 0; start < data.count; start += BATCH) {
    const end = Math.min(start + BATCH, data.count);
    const classes = tf.tidy(() => {
      const pixels = tf.tensor4d(data.images.subarray(start * size, end * size), [end - start, data.rows, data.cols, 1], 'float32');
      return (model.predict(pixels.div(255)) as tf.Tensor).argMax(-1);
    });
    predictions.set(await classes.data(), start);
    classes.dispose();
    if ((end / BATCH) % 8 === 0 || end === data.count) console.log(`  tfjs predicted ${end}/${data.count}`);
  }
  return predictions;
}

function countCorrect(predictions: ArrayLike<number>, labels: ArrayLike<number>, indices?: number[]): number {
  const pick = indices ?? Array.from({ length: labels.length }, (_, i) => i);
  return pick.reduce((sum, i) => sum + (predictions[i] === labels[i] ? 1 : 0), 0);
}

/** Softmax outputs of the model for the first `count` images of a split. */
function firstProbabilities(model: tf.LayersModel, data: FashionMnistSplit, count: number): number[][] {
  const size = data.rows * data.cols;
  return tf.tidy(() => {
    const pixels = tf.tensor4d(data.images.subarray(0, count * size), [count, data.rows, data.cols, 1], 'float32');
    return (model.predict(pixels.div(255)) as tf.Tensor).arraySync() as number[][];
  });
}

function maxDifference(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((row, i) => row.map((value, j) => Math.abs(value - b[i][j]))));
}

async function saveModel(model: tf.LayersModel): Promise<void> {
  await mkdir(MODEL_DIR, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const modelJson = {
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: 'scripts/import-model.ts (from PyTorch weights)',
        modelTopology: artifacts.modelTopology,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [SHARD_NAME], weights: artifacts.weightSpecs ?? [] }],
      };
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
      await writeFile(join(MODEL_DIR, 'model.json'), JSON.stringify(modelJson) + '\n');
      await writeFile(join(MODEL_DIR, SHARD_NAME), new Uint8Array(weightData));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

function fail(message: string): never {
  console.error(`import-model: FAILED: ${message}`);
  process.exit(1);
}

function percent(correct: number, total: number): string {
  return `${((100 * correct) / total).toFixed(2)} %`;
}

/** Renders MODEL_CARD.md. The shipped-model test reads the tfjs cell of the evaluation-sprite row. */
function modelCard(record: TorchRecord, m: Measurements, importSeconds: number): string {
  const layerRows = m.layers.map((l) => `| ${l.name} | ${l.className} | ${l.outputShape} | ${l.params.toLocaleString('en-US')} |`);
  const epochRows = record.epochLog.map(
    (e) => `| ${e.epoch} | ${e.seconds.toFixed(1)} | ${e.loss.toFixed(4)} | ${(100 * e.testAccuracy).toFixed(2)} % |`,
  );
  const totalParams = m.layers.reduce((sum, l) => sum + l.params, 0);
  return `# Model card: default PeakPrune model (Fashion-MNIST VGG-style CNN)

The model PeakPrune loads when the user brings none. It is a small VGG-style convolutional
network trained on Fashion-MNIST, with six convolution layers to cluster and prune.

## Files

- \`model.json\`: TensorFlow.js LayersModel (format \`layers-model\`, a \`Sequential\` model).
- \`${SHARD_NAME}\`: the weights, ${m.weightBytes.toLocaleString('en-US')} bytes of float32.
- Input: \`[N, 28, 28, 1]\` float32, pixel value / 255 (no mean or standard-deviation
  normalisation). Output: softmax over 10 classes, in this order: ${CLASS_NAMES.map((c) => `\`${c}\``).join(', ')}.
  \`userDefinedMetadata\` in model.json repeats the class names and the input scaling.

## Architecture

Each convolution is 3×3, stride 1, \`same\` padding, with bias and a linear activation. It is
followed by BatchNormalization (epsilon 1e-5, the PyTorch default, set explicitly because Keras
defaults to 1e-3; momentum 0.9) and a separate ReLU \`Activation\` layer, where APoZ is measured.
Max pooling is 2×2, so pool3 maps 7×7 to 3×3 (rounding down). Dropout (rate 0.3) acts only in training.

| layer | class | output shape | parameters |
|---|---|---|---|
${layerRows.join('\n')}
| total | | | ${totalParams.toLocaleString('en-US')} |

## Data

Fashion-MNIST (Zalando Research, 2017, MIT licence; see \`public/samples/LICENSE-fashion-mnist.txt\`),
from the Debian package \`dataset-fashion-mnist\`, files under \`/usr/share/datasets/fashion-mnist/\`.
Training used all 60,000 training images, without augmentation. Accuracy is measured on the
10,000 test images. There is no separate validation split. The number of epochs and the
learning rate were fixed before training, not tuned on the test set.

## Training

- PyTorch ${record.torchVersion} (Debian \`python3-torch\`) on the CPU, ${record.threads} threads, on
  ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}) shared with other jobs, so times vary between runs.
- Seed ${record.seed} (Python, NumPy and torch; deterministic algorithms on).
- ${record.epochs} epochs, batch size ${record.batchSize}, ${record.schedule}, peak rate ${record.learningRate};
  cross-entropy loss on the logits (the tfjs model adds the softmax).
- Training time: ${record.trainSeconds.toFixed(0)} s in total.

| epoch | seconds | mean training loss | test top-1 (PyTorch) |
|---|---|---|---|
${epochRows.join('\n')}

## Accuracy (top-1)

| images | PyTorch | TensorFlow.js (cpu backend) |
|---|---|---|
| full test set, ${m.testCount.toLocaleString('en-US')} images | ${percent(m.torchCorrect, m.testCount)} (${m.torchCorrect}) | ${percent(m.tfjsCorrect, m.testCount)} (${m.tfjsCorrect}) |
| evaluation sprite \`public/samples/evaluation.png\`, ${m.evalCount.toLocaleString('en-US')} test images | ${percent(m.evalTorchCorrect, m.evalCount)} (${m.evalTorchCorrect}) | ${percent(m.evalTfjsCorrect, m.evalCount)} (${m.evalTfjsCorrect}) |

PyTorch and TensorFlow.js predict the same class for ${m.agreement.toLocaleString('en-US')} of the
${m.testCount.toLocaleString('en-US')} test images. tfjs inference over the full test set took
${m.inferenceSeconds.toFixed(0)} s on the Node cpu backend here.

## Conversion from PyTorch

- Convolution kernels: PyTorch \`[out, in, kh, kw]\` transposed to tfjs \`[kh, kw, in, out]\`.
- dense1: PyTorch flattens the 64×3×3 map channels-first (C, H, W), tfjs channels-last
  (H, W, C), so the rows of dense1's kernel are reordered to (H, W, C).
- BatchNormalization: gamma, beta, moving mean and moving variance copied unchanged.
- \`scripts/import-model.ts\` checks the conversion three ways. The softmax outputs on the first
  ${record.firstTestProbabilities.length} test images differ from PyTorch's by at most
  ${m.probabilityGap.toExponential(1)} (the limit is ${MAX_PROBABILITY_GAP}). Top-1 on the full test set may differ from
  PyTorch's by at most 0.2 percentage points. The saved files reload to identical outputs.

## Reproduce

\`\`\`
${record.command}
npx tsx scripts/make-samples.ts
npx tsx scripts/import-model.ts
\`\`\`

The import (including the full-test-set evaluation) took ${importSeconds.toFixed(0)} s. PyTorch
results repeat exactly only with the same PyTorch build, thread count and CPU.

## Limitations

- It knows only the ten Fashion-MNIST classes and expects images like the data set's: 28×28
  gray, centred, light object on a black background.
- This card describes the unpruned model. PeakPrune measures accuracy again after pruning.
`;
}

function describeLayers(model: tf.LayersModel): Measurements['layers'] {
  return model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: JSON.stringify(layer.outputShape).replace(/null/g, 'N'),
    params: layer.countParams(),
  }));
}

async function main(): Promise<void> {
  const started = performance.now();
  if (!existsSync(`${TORCH_BASE}.json`)) fail(`${TORCH_BASE}.json not found. Run /usr/bin/python3 scripts/train_fashion_mnist.py first.`);
  if (!existsSync(EVALUATION_JSON)) fail(`${EVALUATION_JSON} not found. Run npx tsx scripts/make-samples.ts first.`);
  await tf.setBackend('cpu');
  const { record, tensors } = readTorchExport();
  const test = loadSplit('test');
  const evaluation = parseSpriteMeta(JSON.parse(readFileSync(EVALUATION_JSON, 'utf8')), EVALUATION_JSON);
  if (evaluation.split !== 'test') fail(`${EVALUATION_JSON} must describe test-split images`);

  const model = buildModel();
  copyWeights(model, tensors);
  tensors.forEach((t) => t.dispose());
  model.setUserDefinedMetadata({ dataset: 'Fashion-MNIST', inputScale: 'divide-255', classNames: CLASS_NAMES });

  const checkCount = record.firstTestProbabilities.length;
  const probabilities = firstProbabilities(model, test, checkCount);
  const gap = maxDifference(probabilities, record.firstTestProbabilities);
  console.log(`largest softmax difference from torch on ${checkCount} images: ${gap.toExponential(2)}`);
  if (gap > MAX_PROBABILITY_GAP) fail(`tfjs outputs differ from torch by ${gap}, more than ${MAX_PROBABILITY_GAP}`);

  const inferenceStart = performance.now();
  const predictions = await predictSplit(model, test);
  const m: Measurements = {
    tfjsCorrect: countCorrect(predictions, test.labels),
    torchCorrect: countCorrect(record.testPredictions, test.labels),
    agreement: countCorrect(predictions, record.testPredictions),
    testCount: test.count,
    evalTfjsCorrect: countCorrect(predictions, test.labels, evaluation.sourceIndices),
    evalTorchCorrect: countCorrect(record.testPredictions, test.labels, evaluation.sourceIndices),
    evalCount: evaluation.count,
    inferenceSeconds: (performance.now() - inferenceStart) / 1000,
    probabilityGap: gap,
    layers: describeLayers(model),
    weightBytes: 4 * model.countParams(),
  };
  console.log(
    `top-1 on ${m.testCount} test images: tfjs ${m.tfjsCorrect}, torch ${m.torchCorrect}, same class ${m.agreement}; ` +
      `evaluation sprite: tfjs ${m.evalTfjsCorrect}/${m.evalCount}; tfjs inference ${m.inferenceSeconds.toFixed(0)} s`,
  );
  if (Math.abs(m.tfjsCorrect - m.torchCorrect) / m.testCount > MAX_ACCURACY_GAP) {
    fail(`tfjs top-1 ${m.tfjsCorrect}/${m.testCount} differs from torch ${m.torchCorrect}/${m.testCount} by more than 0.2 percentage points`);
  }

  await saveModel(model);
  const reloaded = await loadLayersModelFromFiles(join(MODEL_DIR, 'model.json'));
  const reloadGap = maxDifference(firstProbabilities(reloaded, test, checkCount), probabilities);
  if (reloadGap > 0) fail(`the saved model's outputs differ from the model in memory by ${reloadGap}`);
  reloaded.dispose();
  model.dispose();

  const totalSeconds = (performance.now() - started) / 1000;
  writeFileSync(join(MODEL_DIR, 'MODEL_CARD.md'), modelCard(record, m, totalSeconds));
  console.log(`wrote ${MODEL_DIR} in ${totalSeconds.toFixed(0)} s`);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
