import type { SweepRow } from '../../core/sweep';
import type { PruneMethod } from '../../core/types';
import { PRUNE_METHODS } from '../../core/criteria';
import type { PageSweepSettings, SweepAxis } from '../sweep-export';
import type { SliceCreator } from './index';

/** Default ratio list of the page's method comparison. */
export const DEFAULT_SWEEP_RATIOS = '0,0.1,0.2,0.3,0.4,0.5,0.6,0.7';

/** Default seeds of the random method. */
export const DEFAULT_SWEEP_SEEDS = '0,1,2';

/** Inputs, streamed rows and chart axis of the method comparison. */
export interface SweepSlice {
  sweepMethods: PruneMethod[];
  /** Comma-separated ratios as typed. */
  sweepRatiosText: string;
  /** Comma-separated seeds of the random method as typed. */
  sweepSeedsText: string;
  /** Fine-tuning epochs per pruning as typed; '0' fine-tunes nothing. */
  sweepFineTuneEpochsText: string;
  /** Rows of the current or last sweep, in the order they were measured. */
  sweepRows: SweepRow[];
  /** Settings of the current or last sweep; absent before the first. */
  sweepSettings?: PageSweepSettings;
  /** Whether the last sweep ran every run (false while running and after Cancel or a failure). */
  sweepComplete: boolean;
  sweepAxis: SweepAxis;
  toggleSweepMethod: (method: PruneMethod, checked: boolean) => void;
  setSweepRatiosText: (text: string) => void;
  setSweepSeedsText: (text: string) => void;
  setSweepFineTuneEpochsText: (text: string) => void;
  setSweepAxis: (axis: SweepAxis) => void;
  startSweepRows: (settings: PageSweepSettings) => void;
  addSweepRow: (row: SweepRow) => void;
  setSweepComplete: (complete: boolean) => void;
}

export const createSweepSlice: SliceCreator<SweepSlice> = (set) => ({
  sweepMethods: [...PRUNE_METHODS],
  sweepRatiosText: DEFAULT_SWEEP_RATIOS,
  sweepSeedsText: DEFAULT_SWEEP_SEEDS,
  sweepFineTuneEpochsText: '0',
  sweepRows: [],
  sweepComplete: false,
  sweepAxis: 'ratio',
  toggleSweepMethod: (method, checked) =>
    set((s) => ({
      // Keeps the methods in PRUNE_METHODS order, so runs and legend order do not depend on clicks.
      sweepMethods: PRUNE_METHODS.filter((m) => (m === method ? checked : s.sweepMethods.includes(m))),
    })),
  setSweepRatiosText: (sweepRatiosText) => set({ sweepRatiosText }),
  setSweepSeedsText: (sweepSeedsText) => set({ sweepSeedsText }),
  setSweepFineTuneEpochsText: (sweepFineTuneEpochsText) => set({ sweepFineTuneEpochsText }),
  setSweepAxis: (sweepAxis) => set({ sweepAxis }),
  startSweepRows: (sweepSettings) => set({ sweepSettings, sweepRows: [], sweepComplete: false }),
  addSweepRow: (row) => set((s) => ({ sweepRows: [...s.sweepRows, row] })),
  setSweepComplete: (sweepComplete) => set({ sweepComplete }),
});
