import type { FineTuneReport } from './finetune';
import type { DpcOptions, LayerAnalysis, ModelMetrics, PruningPlan } from './types';

/** Figures of one model: size, cost and, where labelled images were given, top-1 accuracy. */
export interface ModelFigures extends ModelMetrics {
  /** Top-1 accuracy in [0, 1] on the evaluation images, or null when not measured. */
  top1: number | null;
}

export interface LayerReport {
  name: string;
  filters: number;
  kept: number;
  clusters: number;
  centers: number[];
  /** Cluster id of every filter. */
  labels: number[];
  halo: number[];
  dc: number;
  activation: string;
  apozApplies: boolean;
  apoz: number[];
  l1: number[];
  removed: number[];
}

/** Every decision and figure of one pruning run, as written to report.json. */
export interface PruneReport {
  tool: 'peakprune';
  version: string;
  createdAt: string;
  model: string;
  dpc: DpcOptions;
  plan: PruningPlan['options'];
  calibrationImages: number;
  evaluationImages: number;
  before: ModelFigures;
  after: ModelFigures;
  /** BatchNormalization layers whose moving statistics were re-estimated after the rebuild. */
  recalibratedLayers: string[];
  /** Calibration images those statistics were estimated from; 0 when none were re-estimated. */
  recalibrationImagesUsed: number;
  layers: LayerReport[];
  /** The last fine-tuning run of the pruned model; absent when it was not fine-tuned. */
  fineTune?: FineTuneReport;
}

export interface ReportInput {
  model: string;
  dpc: DpcOptions;
  plan: PruningPlan;
  analysis: readonly LayerAnalysis[];
  calibrationImages: number;
  evaluationImages: number;
  before: ModelFigures;
  after: ModelFigures;
  recalibratedLayers?: readonly string[];
}

export const REPORT_VERSION = '1';

/** Builds a JSON-ready report; typed arrays become plain arrays, figures are rounded to 6 digits. */
export function buildReport(input: ReportInput): PruneReport {
  const layers = input.plan.layers.map((layerPlan): LayerReport => {
    const layer = input.analysis.find((a) => a.name === layerPlan.name);
    if (layer === undefined) throw new Error(`Layer "${layerPlan.name}" is in the plan but was not analysed.`);
    return {
      name: layer.name,
      filters: layer.filters,
      kept: layer.filters - layerPlan.removed.length,
      clusters: layer.dpc.centers.length,
      centers: [...layer.dpc.centers],
      labels: Array.from(layer.dpc.labels),
      halo: indicesOf(layer.dpc.halo),
      dc: round(layer.dpc.dc),
      activation: layer.apoz.activation,
      apozApplies: layer.apoz.applies,
      apoz: Array.from(layer.apoz.apoz, round),
      l1: Array.from(layer.l1, round),
      removed: [...layerPlan.removed],
    };
  });
  return {
    tool: 'peakprune',
    version: REPORT_VERSION,
    createdAt: new Date().toISOString(),
    model: input.model,
    dpc: { ...input.dpc, centers: undefined },
    plan: input.plan.options,
    calibrationImages: input.calibrationImages,
    evaluationImages: input.evaluationImages,
    before: input.before,
    after: input.after,
    recalibratedLayers: [...(input.recalibratedLayers ?? [])],
    recalibrationImagesUsed:
      (input.recalibratedLayers ?? []).length > 0
        ? Math.min(input.plan.options.recalibrationImages ?? 0, input.calibrationImages)
        : 0,
    layers,
  };
}

function indicesOf(flags: Uint8Array): number[] {
  const out: number[] = [];
  flags.forEach((flag, i) => {
    if (flag) out.push(i);
  });
  return out;
}

function round(value: number): number {
  return Number(value.toPrecision(6));
}
