// Facts about the model and images the app ships in public/, read straight from the files so the
// browser tests compare the page against values it did not compute itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PNG } from 'pngjs';

import { parseSpriteMeta, spriteToSampleSet } from '../../src/core/sprite';
import type { SampleSet } from '../../src/core/types';
import { ROOT } from './harness';

export const MODEL_JSON_PATH = join(ROOT, 'public/model/model.json');

export interface ConvFacts {
  name: string;
  filters: number;
}

export interface ShippedModelFacts {
  /** The model's own name from its topology. */
  name: string;
  /** Conv2D layers in topology order, with their filter counts. */
  convs: ConvFacts[];
  /** Number of weight tensors in the weights manifest, which is the tensor count of the loaded model. */
  weightTensors: number;
  /** Sum over the manifest of each weight's element count. */
  params: number;
}

interface LayerEntry {
  class_name: string;
  config: { name: string; filters?: number };
}

interface ShippedModelJson {
  modelTopology: { config: { name: string; layers: LayerEntry[] } };
  weightsManifest: { paths: string[]; weights: { shape: number[] }[] }[];
}

/** Reads the shipped model.json; throws when it is not the Sequential layout these tests expect. */
export function readShippedModel(): ShippedModelFacts {
  const json = JSON.parse(readFileSync(MODEL_JSON_PATH, 'utf8')) as ShippedModelJson;
  const config = json.modelTopology.config;
  if (!Array.isArray(config.layers)) {
    throw new Error(`${MODEL_JSON_PATH} is not a Sequential model with config.layers; update test/browser/shipped.ts.`);
  }
  const convs = config.layers
    .filter((layer) => layer.class_name === 'Conv2D')
    .map((layer) => ({ name: layer.config.name, filters: layer.config.filters ?? Number.NaN }));
  const weights = json.weightsManifest.flatMap((group) => group.weights);
  const params = weights.reduce((sum, weight) => sum + weight.shape.reduce((product, dim) => product * dim, 1), 0);
  return { name: config.name, convs, weightTensors: weights.length, params };
}

/** Decodes the first `limit` images of public/samples/<kind>.png, as the page does for ?<kind>=limit. */
export function readShippedImages(kind: 'calibration' | 'evaluation', limit: number): SampleSet {
  const metaPath = join(ROOT, `public/samples/${kind}.json`);
  const meta = parseSpriteMeta(JSON.parse(readFileSync(metaPath, 'utf8')), metaPath);
  const png = PNG.sync.read(readFileSync(join(ROOT, `public/samples/${kind}.png`)));
  // pngjs decodes every colour type to RGBA.
  const all = spriteToSampleSet(png.data, png.width, png.height, 4, meta, `${kind}.png`);
  const count = Math.min(limit, all.labels.length);
  const [height, width, channels] = all.shape;
  return {
    ...all,
    pixels: all.pixels.slice(0, count * height * width * channels),
    labels: all.labels.slice(0, count),
  };
}
