import { brushCenters, toggleCenter } from '../actions/clusters';
import { DecisionGraph } from '../charts/DecisionGraph';
import { useStore } from '../store';
import { useLayerView } from './useLayerView';

/** Shows the decision graph (ρ against δ) of one layer. Clicking and brushing pick cluster centers. */
export function DecisionGraphPanel({ name }: { name: string }) {
  const { layer, removed, hovered, setHoveredFilter } = useLayerView(name);
  const notice = useStore((s) => s.centerNotice);
  if (layer === undefined) return null;
  const { rho, delta, labels, centers, halo } = layer.dpc;
  return (
    <figure className="chart-panel decision-graph" data-testid="decision-graph">
      <figcaption>
        Decision graph: local density ρ against distance δ to a denser filter. Click a point to make it a center or an
        ordinary member again; drag a box to toggle several.
      </figcaption>
      <DecisionGraph
        rho={rho}
        delta={delta}
        labels={labels}
        centers={centers}
        halo={halo}
        removed={removed}
        highlighted={hovered}
        onToggleCenter={(filter) => toggleCenter(name, filter)}
        onBrush={(filters) => brushCenters(name, filters)}
        onHover={setHoveredFilter}
      />
      <p className="notice" role="status" data-testid="center-notice">
        {notice ?? ''}
      </p>
    </figure>
  );
}
