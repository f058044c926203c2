import { format } from 'd3';

import { useLayerView } from '../components/useLayerView';
import { useStore } from '../store';
import { FilterMap } from './FilterMap';
import { FilterTable } from './FilterTable';
import type { StageView } from './steps';
import { maskedClusters } from './steps';
import { useEmbedding, useSelectedFilters } from './useFilterMap';

const formatStress = format('.3f');
const formatShare = format('.0%');

/** Everything computed: the map as the workbench shows it outside the walkthrough. */
export const FULL_VIEW: StageView = { density: true, delta: true, centers: true, clusters: true, halo: true, apoz: true, removed: true };

/**
 * Shows the filter-space map of layer `name` at a walkthrough stage, with its stress and explained
 * variance and a table of the same facts for screen readers.
 */
export function FilterMapPanel({ name, view = FULL_VIEW, width, height }: { name: string; view?: StageView; width?: number; height?: number }) {
  const { layer, removed, hovered, setHoveredFilter } = useLayerView(name);
  const { embedding, error } = useEmbedding(name);
  const selected = useSelectedFilters(name);
  const selectFilters = useStore((s) => s.selectFilters);
  if (layer === undefined) return null;
  const masked = maskedClusters(layer.dpc, removed, view);

  return (
    <figure className="chart-panel filter-map-panel" data-testid="filter-map">
      <figcaption>
        Filter map: each point is a filter, placed by classical MDS so that 2-D distances follow the filter distances. Hover a
        filter for its d_c neighbours and its arrow to the nearest denser filter; drag a box or click to select filters in every
        chart.
      </figcaption>
      {error !== undefined && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {embedding === undefined && error === undefined && <p className="muted">Placing the filters…</p>}
      {embedding !== undefined && (
        <>
          <p className="fm-quality" data-testid="map-quality">
            Stress {formatStress(embedding.stress)} · the two axes keep {formatShare(embedding.explainedVariance)} of the filters’
            spread, so points close on the map may still be far apart in weight space.
          </p>
          <FilterMap
            x={embedding.x}
            y={embedding.y}
            rho={layer.dpc.rho}
            nearestDenser={layer.dpc.nearestDenser}
            dc={layer.dpc.dc}
            distances={layer.distances}
            labels={masked.labels}
            centers={masked.centers}
            halo={masked.halo}
            apoz={layer.apoz.apoz}
            removed={masked.removed}
            view={view}
            highlighted={hovered}
            selected={selected}
            width={width}
            height={height}
            onHover={setHoveredFilter}
            onSelect={(filters) => selectFilters(name, filters)}
          />
          <FilterTable name={name} view={view} />
        </>
      )}
    </figure>
  );
}
