import type { LayerEmbedding } from '../../worker/teaching';
import type { SliceCreator } from './index';

/** Views of the selected layer: the workbench charts, the step-by-step walkthrough, the activation maps, or the 2-D playground. */
export type TeachingView = 'layer' | 'walkthrough' | 'activations' | 'playground';

export const TEACHING_VIEWS: readonly TeachingView[] = ['layer', 'walkthrough', 'activations', 'playground'];

/** Filters selected by a brush in one chart, shown as selected in every chart of that layer. */
export interface FilterSelection {
  layer: string;
  /** Filter indices, ascending. */
  filters: number[];
}

/** State of the teaching views. The hovered filter itself lives in the analysis slice. */
export interface TeachingSlice {
  teachingView: TeachingView;
  /** Index into WALKTHROUGH_STEPS. */
  walkthroughStep: number;
  selection?: FilterSelection;
  /** Large type for a projector. */
  presenter: boolean;
  /** 2-D filter maps keyed by `embeddingKey(analysisId, layer)`. */
  embeddings: Record<string, LayerEmbedding>;
  /** Sample image shown by the activation view, an index into the calibration images. */
  activationImage: number;
  setTeachingView: (view: TeachingView) => void;
  setWalkthroughStep: (step: number) => void;
  /** Replaces the selection. An empty list clears it. */
  selectFilters: (layer: string, filters: readonly number[]) => void;
  setPresenter: (on: boolean) => void;
  setEmbedding: (key: string, embedding: LayerEmbedding) => void;
  setActivationImage: (index: number) => void;
}

/** Returns the key of a layer's filter map. A new analysis gets new keys, so maps of older weights are not reused. */
export function embeddingKey(analysisId: number, layer: string): string {
  return `${analysisId}/${layer}`;
}

export const createTeachingSlice: SliceCreator<TeachingSlice> = (set) => ({
  teachingView: 'layer',
  walkthroughStep: 0,
  presenter: false,
  embeddings: {},
  activationImage: 0,
  setTeachingView: (teachingView) => set({ teachingView }),
  setWalkthroughStep: (walkthroughStep) => set({ walkthroughStep }),
  selectFilters: (layer, filters) =>
    set({ selection: filters.length === 0 ? undefined : { layer, filters: [...new Set(filters)].sort((a, b) => a - b) } }),
  setPresenter: (presenter) => set({ presenter }),
  setEmbedding: (key, embedding) => set((state) => ({ embeddings: { ...state.embeddings, [key]: embedding } })),
  setActivationImage: (activationImage) => set({ activationImage }),
});
