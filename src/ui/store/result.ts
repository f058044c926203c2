import type { PruneOutcome } from '../../worker/types';
import type { SliceCreator } from './index';

/** The pruned model's files, made once after pruning so a click downloads at once. */
export interface PreparedDownloads {
  modelJson: Blob;
  weights: Blob;
  weightsFileName: string;
  report: Blob;
  /** model.json and the weights file in one zip. */
  zip: Blob;
}

/** The last pruning result and its files. */
export interface ResultSlice {
  result?: PruneOutcome;
  /** planKey of the plan the result was made from. */
  resultKey?: string;
  downloads?: PreparedDownloads;
  setResult: (result: PruneOutcome, key: string) => void;
  setDownloads: (downloads: PreparedDownloads) => void;
  clearResult: () => void;
}

export const createResultSlice: SliceCreator<ResultSlice> = (set) => ({
  setResult: (result, resultKey) => set({ result, resultKey, downloads: undefined }),
  setDownloads: (downloads) => set({ downloads }),
  clearResult: () => set({ result: undefined, resultKey: undefined, downloads: undefined }),
});
