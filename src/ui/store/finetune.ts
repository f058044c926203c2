import { DEFAULT_FINE_TUNE_SETTINGS, type EpochMetrics, type FineTuneReport, type FineTuneSettings } from '../../core/finetune';
import type { PruneOutcome } from '../../worker/types';
import type { SliceCreator } from './index';

/** One epoch's figures with the number of training steps taken when it ended. */
export interface EpochPoint extends EpochMetrics {
  step: number;
}

/** Settings, live curves and result of fine-tuning the pruned model. */
export interface FineTuneSlice {
  fineTuneSettings: FineTuneSettings;
  /** Training-mode loss of every batch of the current or last run, in order. */
  fineTuneLosses: number[];
  fineTuneEpochs: EpochPoint[];
  fineTuneResult?: FineTuneReport;
  /** The pruning result the fine-tune result belongs to; a new pruning makes it stale. */
  fineTuneOf?: PruneOutcome;
  setFineTuneSettings: (changes: Partial<FineTuneSettings>) => void;
  clearFineTuneCurves: () => void;
  addFineTuneBatch: (loss: number) => void;
  addFineTuneEpoch: (metrics: EpochMetrics) => void;
  setFineTuneResult: (result: FineTuneReport, of: PruneOutcome) => void;
}

export const createFineTuneSlice: SliceCreator<FineTuneSlice> = (set) => ({
  fineTuneSettings: DEFAULT_FINE_TUNE_SETTINGS,
  fineTuneLosses: [],
  fineTuneEpochs: [],
  setFineTuneSettings: (changes) => set((s) => ({ fineTuneSettings: { ...s.fineTuneSettings, ...changes } })),
  clearFineTuneCurves: () => set({ fineTuneLosses: [], fineTuneEpochs: [] }),
  addFineTuneBatch: (loss) => set((s) => ({ fineTuneLosses: [...s.fineTuneLosses, loss] })),
  addFineTuneEpoch: (metrics) => set((s) => ({ fineTuneEpochs: [...s.fineTuneEpochs, { ...metrics, step: s.fineTuneLosses.length }] })),
  setFineTuneResult: (fineTuneResult, fineTuneOf) => set({ fineTuneResult, fineTuneOf }),
});
