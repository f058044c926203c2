import type { SensitivityRow } from '../../core/sensitivity';
import type { PruneMethod } from '../../core/types';
import type { SliceCreator } from './index';

/** Default ratio list of the page's sensitivity analysis. */
export const DEFAULT_SENSITIVITY_RATIOS = '0.2,0.4,0.6,0.8';

/** Default accuracy-drop limit, in percentage points of top-1. */
export const DEFAULT_SENSITIVITY_MAX_DROP = '2';

/** Method and ratios of the current or last analysis, which its rows and proposal belong to. */
export interface SensitivityRunSettings {
  method: PruneMethod;
  ratios: readonly number[];
  /** Analysed layers in network order. */
  layers: readonly string[];
}

/** Inputs, streamed rows and baseline of the per-layer sensitivity analysis. */
export interface SensitivitySlice {
  sensitivityMethod: PruneMethod;
  /** Comma-separated ratios as typed. */
  sensitivityRatiosText: string;
  /** Accuracy-drop limit in percentage points as typed. */
  sensitivityMaxDropText: string;
  /** Rows of the current or last analysis, in the order they were measured. */
  sensitivityRows: SensitivityRow[];
  /** Top-1 of the unpruned model on the evaluation images; absent until the worker sends it. */
  sensitivityBaseline?: number;
  sensitivityRun?: SensitivityRunSettings;
  /** Whether the last analysis measured every point (false while running and after Cancel or a failure). */
  sensitivityComplete: boolean;
  setSensitivityMethod: (method: PruneMethod) => void;
  setSensitivityRatiosText: (text: string) => void;
  setSensitivityMaxDropText: (text: string) => void;
  startSensitivityRows: (run: SensitivityRunSettings) => void;
  setSensitivityBaseline: (top1: number) => void;
  addSensitivityRow: (row: SensitivityRow) => void;
  setSensitivityComplete: (complete: boolean) => void;
}

export const createSensitivitySlice: SliceCreator<SensitivitySlice> = (set) => ({
  sensitivityMethod: 'dpc-apoz',
  sensitivityRatiosText: DEFAULT_SENSITIVITY_RATIOS,
  sensitivityMaxDropText: DEFAULT_SENSITIVITY_MAX_DROP,
  sensitivityRows: [],
  sensitivityComplete: false,
  setSensitivityMethod: (sensitivityMethod) => set({ sensitivityMethod }),
  setSensitivityRatiosText: (sensitivityRatiosText) => set({ sensitivityRatiosText }),
  setSensitivityMaxDropText: (sensitivityMaxDropText) => set({ sensitivityMaxDropText }),
  startSensitivityRows: (sensitivityRun) => set({ sensitivityRun, sensitivityRows: [], sensitivityBaseline: undefined, sensitivityComplete: false }),
  setSensitivityBaseline: (sensitivityBaseline) => set({ sensitivityBaseline }),
  addSensitivityRow: (row) => set((s) => ({ sensitivityRows: [...s.sensitivityRows, row] })),
  setSensitivityComplete: (sensitivityComplete) => set({ sensitivityComplete }),
});
