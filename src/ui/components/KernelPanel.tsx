import { KernelGrid } from '../charts/KernelGrid';
import { useStore } from '../store';
import { useSelectedFilters } from '../teaching/useFilterMap';
import { ChannelSelect } from './ChannelSelect';
import { useLayerView } from './useLayerView';

/** Shows the filters of one layer as weight tiles. Clicking a tile keeps or removes that filter by hand. */
export function KernelPanel({ name }: { name: string }) {
  const { layer, removed, hovered, setHoveredFilter } = useLayerView(name);
  const channel = useStore((s) => s.channel);
  const handChanges = useStore((s) => (s.overrides[name]?.keep.length ?? 0) + (s.overrides[name]?.remove.length ?? 0));
  const toggleFilter = useStore((s) => s.toggleFilter);
  const resetOverrides = useStore((s) => s.resetOverrides);
  const selected = useSelectedFilters(name);
  if (layer === undefined) return null;

  return (
    <figure className="chart-panel kernel-panel" data-testid="kernel-panel">
      <figcaption>
        Filters of {name}, coloured by weight (blue negative, red positive). Click a filter to keep or remove it by hand.
      </figcaption>
      <div className="kernel-controls">
        <ChannelSelect inputChannels={layer.kernelShape[2]} />
        <button type="button" disabled={handChanges === 0} onClick={() => resetOverrides(name)} data-testid="reset-overrides">
          Undo hand changes ({handChanges})
        </button>
      </div>
      <KernelGrid
        kernel={layer.kernel}
        kernelShape={layer.kernelShape}
        labels={layer.dpc.labels}
        centers={layer.dpc.centers}
        apoz={layer.apoz.apoz}
        apozApplies={layer.apoz.applies}
        meanAbs={layer.apoz.meanAbs}
        removed={removed}
        channel={channel}
        highlighted={hovered}
        selected={selected}
        onToggleFilter={(filter) => toggleFilter(name, filter)}
        onHover={setHoveredFilter}
      />
    </figure>
  );
}
