// Plain data shared by the core, the worker, the page and the command-line tool.
// Everything here is structured-cloneable: typed arrays, numbers, strings, arrays and objects.

/** Density kernel for ρ: a Gaussian of width d_c, or a count of neighbours closer than d_c. */
export type DensityKernel = 'gaussian' | 'cutoff';

/** Distance between two flattened filters. */
export type DistanceMetric = 'euclidean' | 'cosine';

/**
 * Filter-selection method: clusters ranked by APoZ, or one of the baselines compared with it
 * (src/core/criteria describes each).
 */
export type PruneMethod = 'dpc-apoz' | 'l1' | 'l2' | 'apoz' | 'random' | 'fpgm' | 'density-peak' | 'dpc-l1';

export interface DpcOptions {
  /** Percentile (0–100) of the pairwise distances used as the cutoff d_c. */
  percentile: number;
  kernel: DensityKernel;
  metric: DistanceMetric;
  /** Hand-picked centers. When absent, centers are chosen from γ. */
  centers?: readonly number[];
  /**
   * Number of clusters: the points of largest γ become centers, the densest included.
   * Used when no centers are hand-picked; when absent too, centers are the points whose γ is an outlier.
   */
  clusterCount?: number;
  /** Whether to flag halo points (members below their cluster's border density). */
  halo: boolean;
}

export const DEFAULT_DPC_OPTIONS: DpcOptions = {
  percentile: 2,
  kernel: 'gaussian',
  metric: 'euclidean',
  halo: true,
};

/** Result of density peak clustering on n points. Point indices are filter indices. */
export interface DpcResult {
  n: number;
  /** Cutoff distance d_c. */
  dc: number;
  rho: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  /** Index of the nearest denser point, or -1 for the point of highest density. */
  nearestDenser: Int32Array;
  /** Point indices sorted by decreasing ρ, ties broken by lower index first. */
  order: Int32Array;
  /** Center indices; cluster k has center centers[k]. The densest point is always centers[0]. */
  centers: number[];
  /** Cluster id (index into centers) of each point. */
  labels: Int32Array;
  /** 1 where the point is in its cluster's halo. All zero when halo detection is off. */
  halo: Uint8Array;
  /** Filters whose weights are all zero. */
  zeroFilters: number[];
  /** Groups (size ≥ 2) of filters at distance 0 from each other, zero filters included. */
  duplicateGroups: number[][];
}

/** APoZ of one convolution layer, measured at the activation that follows it. */
export interface ApozResult {
  /** The convolution layer whose filters are scored. */
  layer: string;
  /** The layer whose output is measured (the conv itself for a fused activation). */
  measuredAt: string;
  /** Activation at the measuring point, for example 'relu', 'linear', 'elu'. */
  activation: string;
  /** False when the activation never outputs exact zeros, so APoZ carries no meaning. */
  applies: boolean;
  /** Explanation when `applies` is false. */
  note?: string;
  /** Fraction of zero outputs per channel, in [0, 1]. */
  apoz: Float64Array;
  /** Mean absolute activation per channel, the fallback criterion. */
  meanAbs: Float64Array;
  /** Number of values counted per channel (images × height × width). */
  count: number;
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Output shape without the batch dimension. */
  outputShape: (number | null)[];
  params: number;
  /** Whether the layer's output channels (filters) can be removed. */
  prunable: boolean;
  /** Reason a convolution layer cannot be pruned; absent for prunable layers. */
  reason?: string;
  /** Convolutions only: name of the coupled group whose filters this layer loses, the name of its lead layer. */
  group?: string;
  /** On a group's lead: every member of the group, the lead included, when it has more than one. */
  groupMembers?: string[];
  /** Layers that keep every channel reaching them (a Softmax over channels, an unknown class): the reason. */
  frozenReason?: string;
}

export interface ModelMetrics {
  params: number;
  /** Multiply-adds for one input. */
  flops: number;
  /** Bytes of float32 weights. */
  bytes: number;
}

export interface EvaluationResult {
  top1: number;
  correct: number;
  total: number;
}

/** Everything the page needs to draw one prunable convolution layer. */
export interface LayerAnalysis {
  name: string;
  filters: number;
  /** Kernel shape [kh, kw, cin, cout] in tfjs order. */
  kernelShape: [number, number, number, number];
  /** Kernel weights in tfjs order (kh × kw × cin × cout). */
  kernel: Float32Array;
  dpc: DpcResult;
  apoz: ApozResult;
  /** L1 norm of each filter. */
  l1: Float64Array;
  /** Pairwise filter distances (n × n, row-major), which the density-peak method plans with. */
  distances?: Float64Array;
  /**
   * Coupled groups only: the member layers in graph order, the lead (`name`) among them, and for
   * each member the group channel of each of its filters. `kernel` then contains every member's
   * filters side by side.
   */
  members?: string[];
  memberChannels?: number[][];
}

export interface PlanOptions {
  method: PruneMethod;
  /** Fraction of filters removed per layer, in [0, 1). */
  ratio: number;
  /** Per-layer ratios that replace `ratio` for the named layers. */
  layerRatios?: Readonly<Record<string, number>>;
  /** Every pruned layer keeps at least this many filters. */
  minChannels: number;
  /** Seed of the `random` method; other methods ignore it. Default 0. */
  seed?: number;
  /**
   * Calibration images used to re-estimate BatchNormalization statistics after the rebuild
   * (no training). 0 or absent leaves the statistics as they were.
   */
  recalibrationImages?: number;
}

/** Calibration images the page and the command-line tool use to re-estimate BatchNormalization statistics. */
export const DEFAULT_RECALIBRATION_IMAGES = 500;

export interface LayerPlan {
  name: string;
  filters: number;
  /** Removed filter indices, ascending. */
  removed: number[];
}

export interface PruningPlan {
  options: PlanOptions;
  layers: LayerPlan[];
}

/** Removed output channels per convolution layer name. */
export type RemovalMap = Readonly<Record<string, readonly number[]>>;

/** Progress of a long job: a phase name and the fraction done in [0, 1]. */
export interface Progress {
  phase: string;
  done: number;
  /** Optional detail such as the current layer name. */
  detail?: string;
}

export type ProgressCallback = (progress: Progress) => void;

/** Options every long job accepts. */
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** Labelled images as one float array in NHWC order, values already scaled for the model. */
export interface SampleSet {
  /** N × H × W × C values. */
  pixels: Float32Array;
  /** [H, W, C]. */
  shape: [number, number, number];
  labels: Int32Array;
  classNames: string[];
}
