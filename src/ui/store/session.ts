import { DEFAULT_PREPROCESSING, type Preprocessing } from '../../core/images/preprocess';
import { DEFAULT_SPLIT, type SplitSettings } from '../../core/images/split';
import type { EvaluationResult } from '../../core/types';
import type { ImageLoadSummary } from '../../worker/images';
import type { BackendInfo, ModelInfo, SampleKind, SamplesInfo } from '../../worker/types';
import type { SliceCreator, Store } from './index';

/** Loaded state: the backend, the model and the images, with the settings the images were read with. */
export interface SessionSlice {
  backend?: BackendInfo;
  model?: ModelInfo;
  samples: Partial<Record<SampleKind, SamplesInfo>>;
  /** Summary of the user's own images; absent while the shipped images are loaded. */
  imageLoad?: ImageLoadSummary;
  /** Reason the last attempt to load the user's images failed, shown beside the picker. */
  imageError?: string;
  preprocessing: Preprocessing;
  split: SplitSettings;
  /** Top-1 of the unpruned model on the current evaluation images, when measured. */
  originalTop1?: EvaluationResult;
  /** State of the session saved in the browser, such as "Saved at 12:03 · 14 MB of 2 GB used". */
  sessionNote?: string;
  setBackend: (backend: BackendInfo) => void;
  /** Installs a newly loaded model and drops everything derived from the previous one. */
  setModel: (model: ModelInfo) => void;
  setSamples: (samples: SamplesInfo) => void;
  /** Removes one image set from the page's view, as the worker did. */
  clearSamples: (kind: SampleKind) => void;
  setImageLoad: (summary: ImageLoadSummary | undefined) => void;
  setImageError: (message: string | undefined) => void;
  setPreprocessing: (preprocessing: Preprocessing) => void;
  setSplit: (split: SplitSettings) => void;
  setOriginalTop1: (result: EvaluationResult | undefined) => void;
  setSessionNote: (note: string | undefined) => void;
}

/**
 * Empty sweep and sensitivity results: rows measured on another model or other images would be
 * shown as if they belonged to the new ones.
 */
const NO_COMPARISONS: Partial<Store> = {
  sweepRows: [],
  sweepSettings: undefined,
  sweepComplete: false,
  sensitivityRows: [],
  sensitivityRun: undefined,
  sensitivityBaseline: undefined,
  sensitivityComplete: false,
};

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get) => ({
  samples: {},
  preprocessing: DEFAULT_PREPROCESSING,
  split: DEFAULT_SPLIT,
  setBackend: (backend) => set({ backend }),
  setModel: (model) => {
    get().clearAnalysis();
    get().clearResult();
    get().resetPlan();
    set({ model, originalTop1: undefined, ...NO_COMPARISONS });
  },
  setSamples: (samples) =>
    set((state) => ({
      samples: { ...state.samples, [samples.kind]: samples },
      originalTop1: samples.kind === 'evaluation' ? undefined : state.originalTop1,
      ...NO_COMPARISONS,
    })),
  clearSamples: (kind) =>
    set((state) => {
      const samples = { ...state.samples };
      delete samples[kind];
      return { samples, originalTop1: kind === 'evaluation' ? undefined : state.originalTop1 };
    }),
  setImageLoad: (imageLoad) => set({ imageLoad }),
  setImageError: (imageError) => set({ imageError }),
  setPreprocessing: (preprocessing) => set({ preprocessing }),
  setSplit: (split) => set({ split }),
  setOriginalTop1: (originalTop1) => set({ originalTop1 }),
  setSessionNote: (sessionNote) => set({ sessionNote }),
});
