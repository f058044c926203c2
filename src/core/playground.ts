// Density peak clustering of a plain 2-D point set, for teaching the method before applying it
// to filters. The clustering itself is the one the filters use (./dpc.ts).

import { densityPeakClustering } from './dpc';
import { mulberry32 } from './random';
import type { DensityKernel, DpcResult } from './types';

export interface PlanePoint {
  x: number;
  y: number;
}

/** Settings of the playground's clustering. */
export interface PlaygroundSettings {
  /** Percentile (0–100) of the pairwise distances used as d_c. */
  percentile: number;
  kernel: DensityKernel;
  /** Hand-picked centers (point indices); automatic centers when absent. */
  centers?: readonly number[];
  /** Number of clusters of largest γ; used when no centers are hand-picked. */
  clusterCount?: number;
  halo: boolean;
}

/**
 * Default playground settings. The percentile is higher than the 2 % used on filters because a
 * hand-drawn set has only a few dozen points. There, 2 % of their few hundred pairs leaves d_c
 * smaller than the gap between neighbouring points, so every ρ is close to 0.
 */
export const DEFAULT_PLAYGROUND_SETTINGS: PlaygroundSettings = { percentile: 8, kernel: 'gaussian', halo: true };

/** Returns the n × n row-major Euclidean distances of the points. */
export function planeDistances(points: readonly PlanePoint[]): Float64Array {
  const n = points.length;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y);
      dist[i * n + j] = d;
      dist[j * n + i] = d;
    }
  }
  return dist;
}

/**
 * Clusters the points by density peak clustering. Returns undefined for fewer than two points,
 * where there is nothing to cluster. Hand-picked centers outside the point set are dropped.
 */
export function clusterPlane(points: readonly PlanePoint[], settings: PlaygroundSettings): DpcResult | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const centers = settings.centers?.filter((c) => Number.isInteger(c) && c >= 0 && c < n);
  return densityPeakClustering(planeDistances(points), n, {
    percentile: settings.percentile,
    kernel: settings.kernel,
    metric: 'euclidean',
    halo: settings.halo,
    centers: centers !== undefined && centers.length > 0 ? centers : undefined,
    clusterCount: settings.clusterCount,
  });
}

/**
 * Returns the preset of three Gaussian blobs of `perBlob` points each in the unit square, with
 * centres (0.25, 0.3), (0.75, 0.3) and (0.5, 0.75) and a standard deviation of 0.05. The points
 * are seeded, so every call returns the same set.
 */
export function threeBlobs(perBlob = 20, seed = 7): PlanePoint[] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres: PlanePoint[] = [
    { x: 0.25, y: 0.3 },
    { x: 0.75, y: 0.3 },
    { x: 0.5, y: 0.75 },
  ];
  return centres.flatMap((centre) =>
    Array.from({ length: perBlob }, () => ({
      x: clamp01(centre.x + 0.05 * normal()),
      y: clamp01(centre.y + 0.05 * normal()),
    })),
  );
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
