import { useState } from 'react';

import { brushCenters, toggleCenter } from '../actions/clusters';
import { DecisionGraph } from '../charts/DecisionGraph';
import { useStore } from '../store';
import { useSelectedFilters } from '../teaching/useFilterMap';
import { useLayerView } from './useLayerView';

/** Effect of a box dragged over the decision graph. */
type BrushMode = 'centers' | 'select';

/**
 * Shows the decision graph (ρ against δ) of one layer. Clicking a point toggles it as a center.
 * A dragged box toggles centers, or selects filters in every linked chart.
 */
export function DecisionGraphPanel({ name }: { name: string }) {
  const { layer, removed, hovered, setHoveredFilter } = useLayerView(name);
  const notice = useStore((s) => s.centerNotice);
  const selectFilters = useStore((s) => s.selectFilters);
  const selected = useSelectedFilters(name);
  const [brushMode, setBrushMode] = useState<BrushMode>('centers');
  if (layer === undefined) return null;
  const { rho, delta, labels, centers, halo } = layer.dpc;
  return (
    <figure className="chart-panel decision-graph" data-testid="decision-graph">
      <figcaption>
        Decision graph: local density ρ against distance δ to a denser filter. Click a point to make it a center or an
        ordinary member again; drag a box to toggle several, or to select them in every chart.
      </figcaption>
      <fieldset className="brush-mode">
        <legend>A dragged box</legend>
        <label>
          <input type="radio" name={`brush-${name}`} checked={brushMode === 'centers'} onChange={() => setBrushMode('centers')} />
          toggles centers
        </label>
        <label>
          <input
            type="radio"
            name={`brush-${name}`}
            checked={brushMode === 'select'}
            onChange={() => setBrushMode('select')}
            data-testid="brush-selects"
          />
          selects filters
        </label>
      </fieldset>
      <DecisionGraph
        rho={rho}
        delta={delta}
        labels={labels}
        centers={centers}
        halo={halo}
        removed={removed}
        highlighted={hovered}
        selected={selected}
        onToggleCenter={(filter) => toggleCenter(name, filter)}
        onBrush={(filters) => (brushMode === 'centers' ? brushCenters(name, filters) : selectFilters(name, filters))}
        onHover={setHoveredFilter}
      />
      <p className="notice" role="status" data-testid="center-notice">
        {notice ?? ''}
      </p>
    </figure>
  );
}
