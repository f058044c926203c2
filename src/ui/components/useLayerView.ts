import { useMemo } from 'react';

import { useStore } from '../store';

const NOTHING: readonly number[] = [];

/** Selects the analysed layer `name`, the set of its filters the plan removes, and the hovered filter. */
export function useLayerView(name: string) {
  const layer = useStore((s) => s.layers.find((entry) => entry.name === name));
  const removedList = useStore((s) => s.plan?.layers.find((entry) => entry.name === name)?.removed ?? NOTHING);
  const hovered = useStore((s) => s.hoveredFilter);
  const setHoveredFilter = useStore((s) => s.setHoveredFilter);
  const removed = useMemo(() => new Set(removedList), [removedList]);
  return { layer, removed, hovered, setHoveredFilter };
}
