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

/** Largest total size of the files read for one model; larger picks are rejected before reading. */
export const MAX_PICKED_MODEL_BYTES = 1024 * 1024 * 1024;

/** A picked or dropped file with its path inside the chosen folder ("folder/model.json"), or its name. */
export interface PickedFile {
  file: File;
  path: string;
}

/** Pairs each file of a file input with its folder-relative path (set when a folder was picked). */
export function pickedFiles(files: readonly File[]): PickedFile[] {
  return files.map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/**
 * Collects the files of a drop, walking dropped folders recursively. Must be called inside the
 * drop handler, because the browser empties DataTransfer once the handler returns.
 */
export async function droppedFiles(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return pickedFiles(Array.from(transfer.files));
  const files: PickedFile[] = [];
  for (const entry of entries) files.push(...(await entryFiles(entry)));
  return files;
}

async function entryFiles(entry: FileSystemEntry): Promise<PickedFile[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ file, path: entry.fullPath.replace(/^\//, '') }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries may return a folder's entries in several batches, and an empty batch marks the end.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const files: PickedFile[] = [];
  for (const child of children) files.push(...(await entryFiles(child)));
  return files;
}
