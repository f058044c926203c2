// Pure checks on the files a user picks as a model: which one is the model.json (by content,
// since names vary) and which weight files its manifest needs (shards may have no extension).

/** Largest file read as text to test whether it is a model.json; larger files are weights. */
export const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;

/** Returns whether the start of a file can begin a JSON object (after whitespace and a BOM). */
export function startsLikeJsonObject(head: string): boolean {
  return head.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}

/** Parses `text` and returns it when it is a TensorFlow.js model.json (an object with `modelTopology`), else undefined. */
export function parseModelJson(text: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  return 'modelTopology' in json ? (json as Record<string, unknown>) : undefined;
}

/**
 * Returns the file names of the weight files the manifest lists: the last segment of each
 * path, because a file picker gives names without folders. A missing or malformed manifest
 * gives an empty list here; the loader reports it with the model's other checks.
 */
export function manifestShardNames(modelJson: Record<string, unknown>): string[] {
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest)) return [];
  const names: string[] = [];
  for (const group of manifest as unknown[]) {
    const paths = typeof group === 'object' && group !== null ? (group as { paths?: unknown }).paths : undefined;
    if (!Array.isArray(paths)) continue;
    for (const path of paths) {
      if (typeof path === 'string') names.push(path.slice(path.lastIndexOf('/') + 1));
    }
  }
  return names;
}

/** Splits the manifest's shard names into those among the picked file names and those missing. */
export function matchShards(shardNames: readonly string[], pickedNames: readonly string[]): { found: string[]; missing: string[] } {
  const picked = new Set(pickedNames);
  return {
    found: shardNames.filter((name) => picked.has(name)),
    missing: shardNames.filter((name) => !picked.has(name)),
  };
}
