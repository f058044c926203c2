// Changes to one layer's clustering: hand-picked centers, cutoff percentile and kernel. Each
// reclusters in the worker from cached distances, which takes milliseconds and needs no GPU.
import type { DensityKernel, DpcOptions } from '../../core/types';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import { useStore } from '../store';
import { dpcOptionsOf } from '../store/analysis';

async function recluster(layer: string, options: DpcOptions): Promise<void> {
  const analysisId = useStore.getState().analysisId;
  try {
    const result = await bridge.recluster(layer, options);
    // A result for an analysis that has since been replaced is dropped.
    if (useStore.getState().analysisId === analysisId) useStore.getState().setLayerClusters(layer, options, result);
  } catch (error) {
    useStore.getState().showError(describeError(error));
  }
}

function currentOptions(layer: string): DpcOptions {
  return dpcOptionsOf(useStore.getState().layerDpc, layer);
}

function clustersOf(layer: string): { centers: readonly number[]; densest: number } | undefined {
  const dpc = useStore.getState().layers.find((entry) => entry.name === layer)?.dpc;
  return dpc === undefined ? undefined : { centers: dpc.centers, densest: dpc.order[0] };
}

function densestNotice(filter: number): string {
  return `Filter ${filter} is the densest point of this layer, so it always stays a center.`;
}

/** Makes a filter a center, or makes a center an ordinary member again. */
export function toggleCenter(layer: string, filter: number): void {
  const clusters = clustersOf(layer);
  if (clusters === undefined) return;
  if (filter === clusters.densest) {
    useStore.getState().setCenterNotice(densestNotice(filter));
    return;
  }
  useStore.getState().setCenterNotice(undefined);
  const isCenter = clusters.centers.includes(filter);
  const centers = isCenter ? clusters.centers.filter((c) => c !== filter) : [...clusters.centers, filter];
  void recluster(layer, { ...currentOptions(layer), centers });
}

/**
 * Applies a brush on the decision graph: when every brushed filter is a center they all stop
 * being centers (the densest one excepted), otherwise they all become centers.
 */
export function brushCenters(layer: string, filters: readonly number[]): void {
  const clusters = clustersOf(layer);
  if (clusters === undefined || filters.length === 0) return;
  const allCenters = filters.every((f) => clusters.centers.includes(f));
  let centers: number[];
  if (allCenters) {
    centers = clusters.centers.filter((c) => c === clusters.densest || !filters.includes(c));
    useStore.getState().setCenterNotice(filters.includes(clusters.densest) ? densestNotice(clusters.densest) : undefined);
  } else {
    centers = [...new Set([...clusters.centers, ...filters])];
    useStore.getState().setCenterNotice(undefined);
  }
  void recluster(layer, { ...currentOptions(layer), centers });
}

/** Drops hand-picked centers and a set cluster count, and lets DPC pick the points whose γ is an outlier. */
export function chooseCentersAutomatically(layer: string): void {
  useStore.getState().setCenterNotice(undefined);
  void recluster(layer, { ...currentOptions(layer), centers: undefined, clusterCount: undefined });
}

/** Asks for a number of clusters: the filters of largest γ become centers. Undefined returns to automatic centers. */
export function setClusterCount(layer: string, clusterCount: number | undefined): void {
  useStore.getState().setCenterNotice(undefined);
  void recluster(layer, { ...currentOptions(layer), centers: undefined, clusterCount });
}

/** Sets the cutoff percentile; centers are chosen again because ρ and δ change with it. */
export function setPercentile(layer: string, percentile: number): void {
  void recluster(layer, { ...currentOptions(layer), percentile, centers: undefined });
}

/** Sets the density kernel; centers are chosen again because ρ changes with it. */
export function setKernel(layer: string, kernel: DensityKernel): void {
  void recluster(layer, { ...currentOptions(layer), kernel, centers: undefined });
}
