import { useEffect, useMemo, useState } from 'react';

import { bridge } from '../bridge';
import { describeError } from '../messages';
import { useStore } from '../store';
import { embeddingKey } from '../store/teaching';
import type { LayerEmbedding } from '../../worker/teaching';

const NO_FILTERS: readonly number[] = [];

/**
 * Returns the 2-D map of layer `name`, asking the worker for it once per analysis, and the
 * message of a failed request. The map depends only on the distances, so reclustering keeps it.
 */
export function useEmbedding(name: string): { embedding?: LayerEmbedding; error?: string } {
  const analysisId = useStore((s) => s.analysisId);
  const key = embeddingKey(analysisId, name);
  const embedding = useStore((s) => s.embeddings[key]);
  const [error, setError] = useState<{ key: string; message: string }>();

  useEffect(() => {
    if (embedding !== undefined) return;
    let current = true;
    bridge.embedLayer(name).then(
      (result) => {
        if (current) useStore.getState().setEmbedding(key, result);
      },
      (failure: unknown) => {
        if (current) setError({ key, message: describeError(failure) });
      },
    );
    return () => {
      current = false;
    };
  }, [embedding, key, name]);

  return { embedding, error: error?.key === key ? error.message : undefined };
}

/** Returns the selected filters of layer `name` as a set, empty when the selection belongs to another layer. */
export function useSelectedFilters(name: string): ReadonlySet<number> {
  const filters = useStore((s) => (s.selection?.layer === name ? s.selection.filters : NO_FILTERS));
  return useMemo(() => new Set(filters), [filters]);
}
