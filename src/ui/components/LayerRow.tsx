import { useStore } from '../store';
import { MAX_RATIO } from '../store/plan';
import { NumberField } from './NumberField';

/**
 * Shows one prunable layer or coupled group as a select button ("conv3 · 32 filters · 4 clusters · −16",
 * then the group's members) and a ratio field.
 */
export function LayerRow({ name }: { name: string }) {
  const layer = useStore((s) => s.layers.find((entry) => entry.name === name));
  const removed = useStore((s) => s.plan?.layers.find((entry) => entry.name === name)?.removed.length);
  const selected = useStore((s) => s.selectedLayer === name);
  const ratio = useStore((s) => s.planOptions.layerRatios?.[name]);
  const globalRatio = useStore((s) => s.planOptions.ratio);
  const selectLayer = useStore((s) => s.selectLayer);
  const setLayerRatio = useStore((s) => s.setLayerRatio);
  if (layer === undefined) return null;

  const clusters = layer.dpc.centers.length;
  return (
    <li className={`layer-row${selected ? ' selected' : ''}`}>
      <button type="button" aria-pressed={selected} onClick={() => selectLayer(name)} data-testid={`layer-${name}`}>
        <strong>{name}</strong> · {layer.filters} filters · {clusters} {clusters === 1 ? 'cluster' : 'clusters'} ·{' '}
        <span className="removal" data-testid={`removed-${name}`}>
          −{removed ?? 0}
        </span>
        {layer.members !== undefined && (
          <span className="muted" data-testid={`members-${name}`}>
            {' '}
            · coupled: {layer.members.join(', ')}
          </span>
        )}
      </button>
      <NumberField
        className="layer-ratio"
        label={`Ratio for ${name}`}
        value={ratio}
        min={0}
        max={MAX_RATIO}
        step={0.05}
        optional
        placeholder={`${globalRatio}`}
        onCommit={(value) => setLayerRatio(name, value)}
        testId={`layer-ratio-${name}`}
      />
    </li>
  );
}
