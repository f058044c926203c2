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

/** Result of one measured run: wall-clock milliseconds and peak extra tensor bytes. */
export interface Measured<T> {
  result: T;
  ms: number;
  peakExtraBytes: number;
}

/** Runs `task` once and returns its result, its wall-clock time and its peak extra tensor bytes. */
export async function measured<T>(task: () => T | Promise<T>): Promise<Measured<T>> {
  const started = performance.now();
  const { result, peakExtraBytes } = await withPeakBytes(task);
  return { result, ms: performance.now() - started, peakExtraBytes };
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
