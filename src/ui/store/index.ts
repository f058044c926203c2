// The page's one zustand store, made of slices. Components read it through narrow selectors;
// the actions in ../actions write to it from outside React, progress included.
import { create, type StateCreator } from 'zustand';

import { createAnalysisSlice, type AnalysisSlice } from './analysis';
import { createFineTuneSlice, type FineTuneSlice } from './finetune';
import { createJobSlice, type JobSlice } from './job';
import { createNoticeSlice, type NoticeSlice } from './notices';
import { createPlanSlice, type PlanSlice } from './plan';
import { createResultSlice, type ResultSlice } from './result';
import { createSessionSlice, type SessionSlice } from './session';
import { createSweepSlice, type SweepSlice } from './sweep';
import { createSensitivitySlice, type SensitivitySlice } from './sensitivity';
import { createTeachingSlice, type TeachingSlice } from './teaching';

export type Store = SessionSlice & JobSlice & AnalysisSlice & PlanSlice & ResultSlice & NoticeSlice & FineTuneSlice & SweepSlice & TeachingSlice & SensitivitySlice;

/** Signature of a slice creator, which gets (and may call) the whole store. */
export type SliceCreator<Slice> = StateCreator<Store, [], [], Slice>;

export const useStore = create<Store>()((...args) => ({
  ...createSessionSlice(...args),
  ...createJobSlice(...args),
  ...createAnalysisSlice(...args),
  ...createPlanSlice(...args),
  ...createResultSlice(...args),
  ...createNoticeSlice(...args),
  ...createFineTuneSlice(...args),
  ...createSweepSlice(...args),
  ...createTeachingSlice(...args),
  ...createSensitivitySlice(...args),
}));
