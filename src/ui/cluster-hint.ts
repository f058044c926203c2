import type { DpcOptions } from '../core/types';

/**
 * Returns whether to explain a single cluster: the centers were chosen by the automatic rule
 * (no hand-picked centers, no cluster count) and it found only one.
 */
export function showsSingleClusterHint(options: DpcOptions, clusters: number): boolean {
  return options.centers === undefined && options.clusterCount === undefined && clusters === 1;
}
