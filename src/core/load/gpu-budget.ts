// Estimates, from the weight shapes alone, whether a model fits on the GPU, so an oversized model
// is rejected before tfjs uploads it and fails somewhere inside WebGL.
import { PeakPruneError } from '../errors';
import { formatBytes } from './inputs';

export interface GpuLimits {
  /** WEBGL_MAX_TEXTURE_SIZE of the context: the largest texture side, in texels. */
  maxTextureSize: number;
  /** Bytes of GPU memory the workbench allows itself for weights. */
  budgetBytes: number;
}

/**
 * Default memory budget. WebGL does not report free GPU memory, so this is a fixed guess that
 * an integrated GPU with 2 GiB shared memory can still serve.
 * NOTE: a guess, not a measurement; a larger GPU can hold more.
 */
export const DEFAULT_GPU_BUDGET_BYTES = 1024 * 1024 * 1024;

/**
 * Copies of the weights alive at once in the worst job: the loaded model, a pruned copy, and
 * fine-tuning's gradients.
 */
export const WEIGHT_COPIES = 3;

export interface WeightShape {
  name: string;
  shape: readonly number[];
}

/** Returns the estimated GPU bytes of a model: float32 weights times WEIGHT_COPIES. */
export function estimateGpuBytes(weights: readonly WeightShape[]): number {
  return WEIGHT_COPIES * 4 * weights.reduce((sum, weight) => sum + weight.shape.reduce((product, dim) => product * dim, 1), 0);
}

/**
 * Throws when one weight cannot fit in a texture or when the estimate exceeds the budget. tfjs
 * packs four floats per texel, so one texture stores at most 4 × side² elements.
 */
export function checkGpuFit(weights: readonly WeightShape[], limits: GpuLimits, path: string): void {
  const perTexture = 4 * limits.maxTextureSize * limits.maxTextureSize;
  for (const weight of weights) {
    const elements = weight.shape.reduce((product, dim) => product * dim, 1);
    if (elements > perTexture) {
      throw new PeakPruneError(
        'invalid-model',
        `${path}: weight "${weight.name}" has ${elements} values, more than one WebGL texture holds here (${perTexture}, maximum texture size ${limits.maxTextureSize}); use a smaller model or a machine with a larger GPU.`,
      );
    }
  }
  const needed = estimateGpuBytes(weights);
  if (needed > limits.budgetBytes) {
    throw new PeakPruneError(
      'invalid-model',
      `${path} needs an estimated ${formatBytes(needed)} of GPU memory (${WEIGHT_COPIES} float32 copies of its weights), more than the budget of ${formatBytes(limits.budgetBytes)}; use a smaller model or prune it with the command-line tool.`,
    );
  }
}
