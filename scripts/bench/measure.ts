// Timing and memory helpers of the benchmark suite.
import * as tf from '@tensorflow/tfjs';

/** Returns the median of the values (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The engine method every new tensor passes through, wrapped here to record a high-water mark. */
type TrackTensor = (this: unknown, ...args: unknown[]) => void;
type TrackedEngine = { trackTensor: TrackTensor; state: { numBytes: number } };

/**
 * Runs `task` and returns the peak of tf.memory().numBytes during the run, less the bytes
 * allocated when it started: the tensor memory the step needs on top of what already exists
 * (model weights, images). The peak is exact, not sampled, because the engine's trackTensor,
 * through which every new tensor is counted, is wrapped while the task runs.
 * NOTE: this relies on Engine.trackTensor of tfjs-core 4.22; another version may rename it.
 */
async function withPeakBytes<T>(task: () => T | Promise<T>): Promise<{ result: T; peakExtraBytes: number }> {
  const engine = tf.engine() as unknown as TrackedEngine;
  const original = engine.trackTensor;
  const before = engine.state.numBytes;
  let peak = before;
  engine.trackTensor = function (this: unknown, ...args: unknown[]) {
    original.apply(this, args);
    peak = Math.max(peak, engine.state.numBytes);
  };
  try {
    const result = await task();
    return { result, peakExtraBytes: peak - before };
  } finally {
    engine.trackTensor = original;
  }
}

type ReadMethod = (this: unknown, ...args: unknown[]) => unknown;
type ReadingBackend = { read: ReadMethod; readSync: ReadMethod };

function byteLengthOf(values: unknown): number {
  if (ArrayBuffer.isView(values)) return values.byteLength;
  // String tensors come back as arrays of byte arrays; no step here reads them.
  return Array.isArray(values) ? values.reduce((sum: number, item) => sum + byteLengthOf(item), 0) : 0;
}

/**
 * Runs `task` and counts the bytes tfjs reads back from its backend (`data()` and `dataSync()`
 * of any tensor) while it runs. On WebGL that is what travels from GPU textures to JavaScript.
 * NOTE: this wraps the read and readSync methods of the active tfjs 4.22 backend instance.
 */
async function withReadBack<T>(task: () => T | Promise<T>): Promise<{ result: T; readBackBytes: number }> {
  const backend = tf.engine().backend as unknown as ReadingBackend;
  const { read, readSync } = backend;
  let readBackBytes = 0;
  backend.read = async function (this: unknown, ...args: unknown[]) {
    const values = await read.apply(this, args);
    readBackBytes += byteLengthOf(values);
    return values;
  };
  backend.readSync = function (this: unknown, ...args: unknown[]) {
    const values = readSync.apply(this, args);
    readBackBytes += byteLengthOf(values);
    return values;
  };
  try {
    return { result: await task(), readBackBytes };
  } finally {
    backend.read = read;
    backend.readSync = readSync;
  }
}

/** Result of one measured run: wall-clock milliseconds, peak extra tensor bytes and bytes read back. */
export interface Measured<T> {
  result: T;
  ms: number;
  peakExtraBytes: number;
  readBackBytes: number;
}

/** Runs `task` once and returns its result, its wall-clock time, its peak extra tensor bytes and the bytes it read back. */
export async function measured<T>(task: () => T | Promise<T>): Promise<Measured<T>> {
  const started = performance.now();
  const { result: inner, readBackBytes } = await withReadBack(() => withPeakBytes(task));
  return { result: inner.result, ms: performance.now() - started, peakExtraBytes: inner.peakExtraBytes, readBackBytes };
}

/**
 * Bytes of every texture the WebGL backend has allocated so far, released ones included: tfjs
 * keeps released textures for reuse, so this is the high-water mark of its GPU memory. Undefined
 * on other backends.
 */
export function gpuBytesAllocated(): number | undefined {
  return (tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number }).numBytesInGPUAllocated;
}

/**
 * Runs `task` once untimed as a warm-up (unless `warmUp` is false because the caller already ran
 * it), then `runs` times, and returns the median time in ms and the largest peak extra tensor
 * bytes of the timed runs.
 */
export async function medianTime(
  task: () => Promise<void> | void,
  runs: number,
  warmUp = true,
): Promise<{ ms: number; peakExtraBytes: number }> {
  if (warmUp) await task();
  const times: number[] = [];
  let peakExtraBytes = 0;
  for (let i = 0; i < runs; i++) {
    const run = await measured(task);
    times.push(run.ms);
    peakExtraBytes = Math.max(peakExtraBytes, run.peakExtraBytes);
  }
  return { ms: median(times), peakExtraBytes };
}
