import { COMMON_OPTIONS } from '../args';

/**
 * Options that prune, sweep and sensitivity share: the model, the images and their split, and
 * the DPC, selection and BatchNormalization settings. Each command adds its own on top.
 */
export const PRUNING_OPTIONS = {
  ...COMMON_OPTIONS,
  model: { type: 'string' },
  images: { type: 'string' },
  out: { type: 'string' },
  'min-channels': { type: 'string' },
  percentile: { type: 'string' },
  kernel: { type: 'string' },
  clusters: { type: 'string' },
  'bn-images': { type: 'string' },
  'calibration-fraction': { type: 'string' },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  limit: { type: 'string' },
} as const;
