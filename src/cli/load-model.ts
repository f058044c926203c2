// Loads a TensorFlow.js LayersModel (model.json plus weight shards) from the file system in Node,
// where tfjs-node and its file:// handler are not available. Validation of the JSON, the manifest
// and the shard sizes is shared with the page through loadFromFiles.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../core/errors';
import { loadFromFiles } from '../core/model-io';

async function readBytes(file: string, role: string, modelJsonPath: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : `could not be read (${(error as Error).message})`;
    const hint = role === 'model file' ? 'Check the path.' : `Put it next to ${modelJsonPath} or fix the path in its weightsManifest.`;
    throw new PeakPruneError('invalid-model', `${file}: ${role} ${reason}. ${hint}`);
  }
}

/** Returns the shard paths listed in a model.json, or none when the JSON cannot be read that far. */
function manifestPaths(text: string): string[] {
  try {
    const manifest = (JSON.parse(text) as { weightsManifest?: unknown }).weightsManifest;
    if (!Array.isArray(manifest)) return [];
    return manifest.flatMap((group: { paths?: unknown }) =>
      Array.isArray(group?.paths) ? group.paths.filter((p): p is string => typeof p === 'string') : [],
    );
  } catch {
    return [];
  }
}

/**
 * Loads a LayersModel from `modelJsonPath` and the shards its weightsManifest names (relative to
 * the model.json folder). Throws `invalid-model` naming the file for a missing file, invalid
 * JSON, a shard whose size does not match the manifest, or a topology tfjs cannot build.
 */
export async function loadLayersModelFromFiles(modelJsonPath: string): Promise<tf.LayersModel> {
  const text = new TextDecoder().decode(await readBytes(modelJsonPath, 'model file', modelJsonPath));
  const baseDir = dirname(resolve(modelJsonPath));
  const shards = new Map<string, Uint8Array>();
  for (const path of manifestPaths(text)) {
    shards.set(path, await readBytes(resolve(baseDir, path), 'weight shard', modelJsonPath));
  }
  return loadFromFiles(text, shards, modelJsonPath);
}
