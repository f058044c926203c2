// A thin reader over h5wasm, the HDF5 library compiled to WebAssembly. Its .wasm is embedded in
// its JavaScript, so a bundler ships it with no separate file to fetch. The module is imported
// on first use because it adds about 4.8 MB to the bundle.
import type { Dataset, File as H5File, Group } from 'h5wasm';

import { PeakPruneError } from '../errors';

type H5Module = typeof import('h5wasm');

let loading: Promise<H5Module> | undefined;
let loaded: H5Module | undefined;
let counter = 0;

async function h5wasm(): Promise<H5Module> {
  loading ??= import('h5wasm').then(async (module) => {
    await module.ready;
    loaded = module;
    return module;
  });
  return loading;
}

/** An open HDF5 file in h5wasm's in-memory file system; `close` removes it. */
export interface Hdf5Reader {
  file: H5File;
  close(): void;
}

/** Opens HDF5 bytes for reading, naming `path` when they are not a readable HDF5 file. */
export async function openHdf5(bytes: Uint8Array, path: string): Promise<Hdf5Reader> {
  const module = await h5wasm();
  const { FS } = await module.ready;
  const name = `/peakprune-${++counter}.h5`;
  FS.writeFile(name, bytes);
  let file: H5File;
  try {
    file = new module.File(name, 'r');
  } catch (error) {
    FS.unlink(name);
    const detail = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `${path} is not a readable HDF5 file (${detail}); save the Keras model again.`);
  }
  return {
    file,
    close: () => {
      file.close();
      FS.unlink(name);
    },
  };
}

/**
 * Runs `read` on an open file and reports h5wasm's own errors as an unreadable file named `path`.
 * A damaged or truncated file can open and then fail only when an object is read.
 */
export function readingHdf5<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PeakPruneError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new PeakPruneError('invalid-model', `${path} is not a readable HDF5 file (${detail}); save the Keras model again.`);
  }
}

/** Returns a string attribute of the file or a group, or undefined when it is absent. */
export function stringAttribute(node: H5File | Group, name: string): string | undefined {
  if (!(name in node.attrs)) return undefined;
  const value = node.attrs[name].value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return String.fromCharCode(...value);
  return undefined;
}

/** Returns a string-list attribute (Keras stores layer and weight names this way), or []. */
export function stringListAttribute(node: H5File | Group, name: string): string[] {
  if (!(name in node.attrs)) return [];
  const value = node.attrs[name].value;
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (item instanceof Uint8Array ? String.fromCharCode(...item) : String(item))).filter((item) => item !== '');
}

/**
 * Returns whether `path` exists below `node`, checked segment by segment, because h5wasm's get
 * prints an HDF5 error stack for a missing path.
 */
function exists(node: H5File | Group, path: string): boolean {
  const segments = path.split('/');
  let current: H5File | Group = node;
  for (const [index, segment] of segments.entries()) {
    if (!current.keys().includes(segment)) return false;
    if (index === segments.length - 1) return true;
    const next = current.get(segment);
    if (loaded === undefined || !(next instanceof loaded.Group)) return false;
    current = next;
  }
  return true;
}

export function groupAt(node: H5File | Group, path: string): Group | undefined {
  if (!exists(node, path)) return undefined;
  const entity = node.get(path);
  return loaded !== undefined && entity instanceof loaded.Group ? entity : undefined;
}

export function datasetAt(node: H5File | Group, path: string): Dataset | undefined {
  if (!exists(node, path)) return undefined;
  const entity = node.get(path);
  return loaded !== undefined && entity instanceof loaded.Dataset ? entity : undefined;
}

/** A weight array read from HDF5, converted to float32. */
export interface Hdf5Weight {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Reads a numeric dataset as float32, naming it when its type is not a float or integer array. */
export function readWeight(dataset: Dataset, name: string, path: string): Hdf5Weight {
  const value = dataset.value;
  const shape = dataset.shape ?? [];
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array)) {
    const values = value instanceof Float32Array ? value : Float32Array.from(value as ArrayLike<number>);
    return { name, shape, values };
  }
  throw new PeakPruneError('invalid-model', `${path}: weight "${name}" has HDF5 type ${JSON.stringify(dataset.dtype)}, which cannot be read as numbers; save the model with float32 weights.`);
}
