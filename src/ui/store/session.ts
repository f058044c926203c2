import type { BackendInfo, ModelInfo, SampleKind, SamplesInfo } from '../../worker/types';
import type { SliceCreator } from './index';

/** Loaded state: the backend, the model and the images. */
export interface SessionSlice {
  backend?: BackendInfo;
  model?: ModelInfo;
  samples: Partial<Record<SampleKind, SamplesInfo>>;
  setBackend: (backend: BackendInfo) => void;
  /** Installs a newly loaded model and drops everything derived from the previous one. */
  setModel: (model: ModelInfo) => void;
  setSamples: (samples: SamplesInfo) => void;
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get) => ({
  samples: {},
  setBackend: (backend) => set({ backend }),
  setModel: (model) => {
    get().clearAnalysis();
    get().clearResult();
    get().resetPlan();
    set({ model });
  },
  setSamples: (samples) => set((state) => ({ samples: { ...state.samples, [samples.kind]: samples } })),
});
