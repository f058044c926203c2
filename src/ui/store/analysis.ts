import { DEFAULT_DPC_OPTIONS, type DpcOptions, type DpcResult, type LayerAnalysis } from '../../core/types';
import type { SliceCreator } from './index';

/** Input channel the kernel grid draws: the mean over all of them, or one index. */
export type KernelChannel = 'mean' | number;

/** The analysed layers and what the user looks at. */
export interface AnalysisSlice {
  layers: LayerAnalysis[];
  /** Counter that increases with every new analysis, so late results about an older one can be ignored. */
  analysisId: number;
  /** DPC options per layer; a layer's entry changes when the user reclusters it. */
  layerDpc: Record<string, DpcOptions>;
  selectedLayer?: string;
  channel: KernelChannel;
  /** Filter under the pointer in either chart, highlighted in both. */
  hoveredFilter: number | null;
  setLayers: (layers: LayerAnalysis[], dpc: DpcOptions) => void;
  clearAnalysis: () => void;
  /** Replaces one layer's clustering after a recluster with `options`. */
  setLayerClusters: (name: string, options: DpcOptions, result: DpcResult) => void;
  selectLayer: (name: string) => void;
  setChannel: (channel: KernelChannel) => void;
  setHoveredFilter: (filter: number | null) => void;
}

export const createAnalysisSlice: SliceCreator<AnalysisSlice> = (set, get) => ({
  layers: [],
  analysisId: 0,
  layerDpc: {},
  channel: 'mean',
  hoveredFilter: null,
  setLayers: (layers, dpc) => {
    const selected = get().selectedLayer;
    set((state) => ({
      layers,
      analysisId: state.analysisId + 1,
      layerDpc: Object.fromEntries(layers.map((layer) => [layer.name, { ...dpc, centers: undefined }])),
      selectedLayer: layers.some((layer) => layer.name === selected) ? selected : layers[0]?.name,
      channel: 'mean',
      hoveredFilter: null,
    }));
    get().replan();
  },
  clearAnalysis: () =>
    set((state) => ({ layers: [], analysisId: state.analysisId + 1, layerDpc: {}, selectedLayer: undefined, hoveredFilter: null })),
  setLayerClusters: (name, options, result) => {
    set((state) => ({
      layers: state.layers.map((layer) => (layer.name === name ? { ...layer, dpc: result } : layer)),
      layerDpc: { ...state.layerDpc, [name]: options },
    }));
    get().replan();
  },
  selectLayer: (selectedLayer) => set({ selectedLayer, channel: 'mean', hoveredFilter: null, centerNotice: undefined }),
  setChannel: (channel) => set({ channel }),
  setHoveredFilter: (hoveredFilter) => set({ hoveredFilter }),
});

/** Default DPC options of a layer that has no entry yet. */
export function dpcOptionsOf(layerDpc: Record<string, DpcOptions>, name: string): DpcOptions {
  return layerDpc[name] ?? DEFAULT_DPC_OPTIONS;
}
