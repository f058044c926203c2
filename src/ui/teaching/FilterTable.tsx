import { useState } from 'react';
import { format } from 'd3';

import { formatPercent } from '../charts/KernelGrid';
import { useLayerView } from '../components/useLayerView';
import type { StageView } from './steps';

const formatValue = format('.4~g');

/**
 * Shows the charts' text alternative: one row per filter with the figures computed by the
 * current stage, inside a collapsed <details> so it does not crowd the page.
 */
export function FilterTable({ name, view }: { name: string; view: StageView }) {
  const { layer, removed } = useLayerView(name);
  // Rows are rendered only while the table is open, since a layer can have hundreds of filters.
  const [open, setOpen] = useState(false);
  if (layer === undefined) return null;
  const { rho, delta, gamma, labels, centers, halo } = layer.dpc;
  const centerSet = new Set(centers);
  const rows = Array.from({ length: layer.filters }, (_, i) => i);

  return (
    <details className="filter-table" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Table of the {layer.filters} filters</summary>
      {open && (
        <table>
          <thead>
            <tr>
              <th scope="col">Filter</th>
              {view.density && <th scope="col">ρ</th>}
              {view.delta && <th scope="col">δ</th>}
              {view.centers && <th scope="col">γ</th>}
              {view.clusters && <th scope="col">Cluster</th>}
              {view.halo && <th scope="col">Halo</th>}
              {view.apoz && <th scope="col">APoZ</th>}
              {view.removed && <th scope="col">Plan</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((i) => (
              <tr key={i}>
                <th scope="row">
                  #{i}
                  {view.centers && centerSet.has(i) ? ' (center)' : ''}
                </th>
                {view.density && <td>{formatValue(rho[i])}</td>}
                {view.delta && <td>{formatValue(delta[i])}</td>}
                {view.centers && <td>{formatValue(gamma[i])}</td>}
                {view.clusters && <td>{labels[i]}</td>}
                {view.halo && <td>{halo[i] === 1 ? 'halo' : 'core'}</td>}
                {view.apoz && <td>{layer.apoz.applies ? formatPercent(layer.apoz.apoz[i]) : 'does not apply'}</td>}
                {view.removed && <td>{removed.has(i) ? 'removed' : 'kept'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
