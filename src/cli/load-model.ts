// Loads a model for the command-line tool from the file system: a model.json (its shards are
// read from beside it), a folder holding one, a .zip, a Teachable Machine export folder, or a
// Keras .h5 or .keras file. Reading and checking are shared with the page through openModel.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';

import type * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../core/errors';
import { openModel, type InputFile } from '../core/load';

/** Maximum bytes read from a folder given as --model. */
const MAX_FOLDER_BYTES = 1024 * 1024 * 1024;

async function readBytes(file: string, role: string, hint: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : `could not be read (${(error as Error).message})`;
    throw new PeakPruneError('invalid-model', `${file}: ${role} ${reason}. ${hint}`);
  }
}

/** Returns the shard paths listed in a model.json, or none when the JSON cannot be read that far. */
function manifestPaths(bytes: Uint8Array): string[] {
  try {
    const manifest = (JSON.parse(new TextDecoder().decode(bytes)) as { weightsManifest?: unknown }).weightsManifest;
    if (!Array.isArray(manifest)) return [];
    return manifest.flatMap((group: { paths?: unknown }) =>
      Array.isArray(group?.paths) ? group.paths.filter((p): p is string => typeof p === 'string') : [],
    );
  } catch {
    return [];
  }
}

/** Reads model.json, the shards its manifest names (relative to it) and a metadata.json beside it. */
async function modelJsonFiles(modelJsonPath: string): Promise<InputFile[]> {
  const bytes = await readBytes(modelJsonPath, 'model file', 'Check the path.');
  const files: InputFile[] = [{ path: modelJsonPath, bytes }];
  const folder = dirname(modelJsonPath);
  for (const path of manifestPaths(bytes)) {
    const hint = `Put it next to ${modelJsonPath} or fix the path in its weightsManifest.`;
    files.push({ path: join(folder, path), bytes: await readBytes(resolve(folder, path), 'weight shard', hint) });
  }
  const metadata = join(folder, 'metadata.json');
  const metadataBytes = await readFile(metadata).catch(() => undefined);
  if (metadataBytes !== undefined) files.push({ path: metadata, bytes: metadataBytes });
  return files;
}

/** Reads every file under `folder`, with paths relative to it, up to MAX_FOLDER_BYTES in total. */
async function folderFiles(folder: string): Promise<InputFile[]> {
  const files: InputFile[] = [];
  let total = 0;
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    total += (await stat(full)).size;
    if (total > MAX_FOLDER_BYTES) {
      throw new PeakPruneError('invalid-model', `${folder} contains more than ${MAX_FOLDER_BYTES / 1024 / 1024} MiB of files; pass the model's own folder or its model.json.`);
    }
    files.push({ path: relative(folder, full), bytes: await readFile(full) });
  }
  return files;
}

/**
 * Loads a LayersModel from `modelPath`: a model.json, a folder, a .zip, a .h5 or a .keras file.
 * Throws `invalid-model` naming the file for a missing file, invalid JSON, a shard whose size does
 * not match the manifest, unsupported Keras features, or a model that cannot be pruned.
 */
export async function loadLayersModelFromFiles(modelPath: string): Promise<tf.LayersModel> {
  const info = await stat(modelPath).catch(() => undefined);
  let files: InputFile[];
  if (info?.isDirectory()) files = await folderFiles(modelPath);
  else if (/\.(zip|h5|hdf5|keras)$/i.test(modelPath)) files = [{ path: basename(modelPath), bytes: await readBytes(modelPath, 'model file', 'Check the path.') }];
  else files = await modelJsonFiles(modelPath);
  const opened = await openModel(files);
  for (const note of opened.notes) console.error(`Note: ${note}`);
  return opened.model;
}
