import { useMemo } from 'react';

import { analyzeLoadedModel } from '../actions/analysis';
import { useStore } from '../store';
import { LayerRow } from './LayerRow';
import { ModelBlocks } from './ModelBlocks';

/**
 * Lists the prunable convolution layers with their filters, clusters and planned removals. Each
 * can be selected and given its own ratio. Convolution layers that cannot be pruned and layers that
 * keep every channel reaching them follow, with the reason, then the model as a list of blocks.
 */
export function LayerList() {
  const layers = useStore((s) => s.layers);
  const model = useStore((s) => s.model);
  // Members of a prunable coupled group are pruned through their lead, so they are not listed as blocked.
  const blocked = useMemo(() => {
    const prunableLeads = new Set(model?.layers.filter((layer) => layer.prunable).map((layer) => layer.name));
    return (
      model?.layers.filter((layer) => {
        if (layer.frozenReason !== undefined) return true;
        if (layer.prunable || layer.reason === undefined) return false;
        return layer.group === undefined || layer.group === layer.name || !prunableLeads.has(layer.group);
      }) ?? []
    );
  }, [model]);
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
          <h3>Not prunable or frozen</h3>
          <ul className="blocked-layers" data-testid="blocked-layers">
            {blocked.map((layer) => (
              <li key={layer.name}>
                <strong>{layer.name}</strong> ({layer.className}): {layer.reason ?? layer.frozenReason}
              </li>
            ))}
          </ul>
        </>
      )}
      <ModelBlocks />
    </section>
  );
}
