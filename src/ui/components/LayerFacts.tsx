import { useStore } from '../store';

/** Facts about a layer that change how to read it: zero and duplicate filters, and whether APoZ applies. */
export function LayerFacts({ name }: { name: string }) {
  const layer = useStore((s) => s.layers.find((entry) => entry.name === name));
  if (layer === undefined) return null;
  const { zeroFilters, duplicateGroups, dc } = layer.dpc;
  const [kh, kw, cin] = layer.kernelShape;
  return (
    <ul className="layer-facts">
      <li>
        {layer.filters} filters of {kh}×{kw}×{cin} weights; cutoff d_c = {dc.toPrecision(3)}.
      </li>
      <li>
        APoZ measured at {layer.apoz.measuredAt} ({layer.apoz.activation}).
        {layer.apoz.applies ? '' : ` ${layer.apoz.note ?? 'This activation never outputs exact zeros.'} Filters are ranked by mean absolute activation instead.`}
      </li>
      {zeroFilters.length > 0 && <li>All-zero filters (removed first): {zeroFilters.join(', ')}.</li>}
      {duplicateGroups.length > 0 && <li>Identical filters: {duplicateGroups.map((group) => group.join(' = ')).join('; ')}.</li>}
    </ul>
  );
}
