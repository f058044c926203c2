import { useMemo } from 'react';

import { analyzeLoadedModel } from '../actions/analysis';
import { useStore } from '../store';
import { LayerRow } from './LayerRow';

/**
 * Lists the prunable convolution layers with their filters, clusters and planned removals. Each
 * can be selected and given its own ratio. Convolution layers that cannot be pruned follow, with the reason.
 */
export function LayerList() {
  const layers = useStore((s) => s.layers);
  const model = useStore((s) => s.model);
  const blocked = useMemo(() => model?.layers.filter((layer) => !layer.prunable && layer.reason !== undefined) ?? [], [model]);
  const canReanalyze = useStore((s) => s.layers.length > 0 && s.job === undefined && s.samples.calibration !== undefined);
  const pending = useMemo(() => (layers.length > 0 ? [] : (model?.layers.filter((layer) => layer.prunable) ?? [])), [layers, model]);

  return (
    <section className="panel layer-list" aria-labelledby="layers-heading" data-testid="layer-list">
      <h2 id="layers-heading">Layers</h2>
      {layers.length === 0 && pending.length === 0 && <p className="muted">No model analysed yet.</p>}
      <ul>
        {layers.map((layer) => (
          <LayerRow key={layer.name} name={layer.name} />
        ))}
        {pending.map((layer) => (
          <li key={layer.name} className="layer-row pending">
            {layer.name} · {layer.outputShape[layer.outputShape.length - 1]} filters · not analysed yet
          </li>
        ))}
      </ul>
      {canReanalyze && (
        <button
          type="button"
          onClick={() => void analyzeLoadedModel()}
          title="Runs DPC and APoZ again with the default settings; hand-picked centers are reset"
          data-testid="analyze-button"
        >
          Analyse again
        </button>
      )}
      {blocked.length > 0 && (
        <>
          <h3>Not prunable</h3>
          <ul className="blocked-layers" data-testid="blocked-layers">
            {blocked.map((layer) => (
              <li key={layer.name}>
                <strong>{layer.name}</strong> ({layer.className}): {layer.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
