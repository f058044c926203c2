import { chooseCentersAutomatically, setClusterCount, setKernel, setPercentile } from '../actions/clusters';
import type { DensityKernel, DpcOptions } from '../../core/types';
import { useStore } from '../store';
import { dpcOptionsOf } from '../store/analysis';
import { showsSingleClusterHint } from '../cluster-hint';
import { NumberField } from './NumberField';

function centerSource(options: DpcOptions): string {
  if (options.centers !== undefined) return ' (centers picked by hand)';
  if (options.clusterCount !== undefined) return ' (filters of largest γ)';
  return ' (centers chosen automatically)';
}

/** Shows the layer's DPC settings (cutoff percentile, kernel, automatic centers) and its cluster count. */
export function ClusterControls({ name }: { name: string }) {
  const options = useStore((s) => dpcOptionsOf(s.layerDpc, name));
  const clusters = useStore((s) => s.layers.find((entry) => entry.name === name)?.dpc.centers.length ?? 0);
  const filters = useStore((s) => s.layers.find((entry) => entry.name === name)?.filters ?? 1);
  return (
    <div className="cluster-controls">
      <NumberField
        label="d_c percentile (%)"
        value={options.percentile}
        min={0.1}
        max={100}
        step={0.5}
        onCommit={(value) => value !== undefined && setPercentile(name, value)}
        testId="percentile-input"
      />
      <label>
        Density kernel{' '}
        <select value={options.kernel} onChange={(event) => setKernel(name, event.target.value as DensityKernel)} data-testid="kernel-select">
          <option value="gaussian">Gaussian</option>
          <option value="cutoff">cutoff</option>
        </select>
      </label>
      <NumberField
        label="Clusters (largest γ)"
        value={options.clusterCount}
        min={1}
        max={filters}
        step={1}
        integer
        optional
        placeholder="auto"
        onCommit={(value) => setClusterCount(name, value === undefined ? undefined : Math.round(value))}
        testId="cluster-count-input"
      />
      <button type="button" onClick={() => chooseCentersAutomatically(name)} data-testid="auto-centers">
        Choose centers automatically
      </button>
      <p className="cluster-count">
        <output data-testid="cluster-count">
          {clusters}
        </output>{' '}
        {clusters === 1 ? 'cluster' : 'clusters'}
        {centerSource(options)}
      </p>
      {showsSingleClusterHint(options, clusters) && (
        <p className="hint" data-testid="single-cluster-hint">
          No filter&apos;s γ stands out in this layer, so the automatic rule found one cluster. Set a cluster count, or click points on the decision graph, to split it.
        </p>
      )}
    </div>
  );
}
