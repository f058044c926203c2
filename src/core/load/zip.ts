// Reads a .zip of model files with fflate. Sizes are checked against a limit before anything is
// inflated, and inflating stops as soon as an entry outgrows the size its header declares, so a
// zip bomb or a forged header cannot exhaust memory.
import { Unzip, UnzipInflate, unzipSync, type UnzipFile } from 'fflate';

import { PeakPruneError } from '../errors';
import { formatBytes, MAX_ZIP_ENTRIES, MAX_ZIP_EXPANDED_BYTES, normalizePath, type InputFile } from './inputs';

export interface ZipLimits {
  maxExpandedBytes: number;
  maxEntries: number;
}

const DEFAULT_LIMITS: ZipLimits = { maxExpandedBytes: MAX_ZIP_EXPANDED_BYTES, maxEntries: MAX_ZIP_ENTRIES };

/** Compressed bytes handed to the inflater at a time, which bounds the output of one step. */
const PUSH_CHUNK_BYTES = 64 * 1024;

/**
 * Expands the zip `file` into its files, each named by its path inside the zip. Folders, macOS
 * resource forks ("__MACOSX/") and empty entries are skipped. Throws `invalid-model` naming the
 * zip when it is damaged, uses another compression than deflate, or expands beyond the limits.
 */
export function expandZip(file: InputFile, limits: ZipLimits = DEFAULT_LIMITS): InputFile[] {
  const declared = readDirectory(file);
  checkDeclaredSizes(file.path, declared, limits);

  const contents = new Map<string, Uint8Array[]>();
  const unzip = new Unzip((entry) => {
    const size = declared.get(entry.name);
    if (size === undefined) return;
    collectEntry(file.path, entry, size, contents);
  });
  unzip.register(UnzipInflate);
  try {
    for (let offset = 0; offset < file.bytes.length; offset += PUSH_CHUNK_BYTES) {
      const end = Math.min(offset + PUSH_CHUNK_BYTES, file.bytes.length);
      unzip.push(file.bytes.subarray(offset, end), end === file.bytes.length);
    }
  } catch (error) {
    if (error instanceof PeakPruneError) throw error;
    throw damaged(file.path, error);
  }

  const files: InputFile[] = [];
  for (const [name, chunks] of contents) files.push({ path: normalizePath(name), bytes: joinChunks(chunks) });
  return files;
}

/** Returns each wanted entry's declared size, read from the central directory without inflating. */
function readDirectory(file: InputFile): Map<string, number> {
  const declared = new Map<string, number>();
  try {
    unzipSync(file.bytes, {
      filter: (info) => {
        if (isWanted(info.name)) {
          if (info.compression !== 0 && info.compression !== 8) {
            throw new PeakPruneError(
              'invalid-model',
              `${file.path}: entry "${info.name}" uses compression method ${info.compression}, but only stored and deflate entries can be read; zip it again with default settings.`,
            );
          }
          declared.set(info.name, info.originalSize);
        }
        return false;
      },
    });
  } catch (error) {
    if (error instanceof PeakPruneError) throw error;
    throw damaged(file.path, error);
  }
  return declared;
}

function isWanted(name: string): boolean {
  return !name.endsWith('/') && !name.startsWith('__MACOSX/') && !name.includes('/__MACOSX/');
}

function checkDeclaredSizes(zipName: string, declared: Map<string, number>, limits: ZipLimits): void {
  if (declared.size > limits.maxEntries) {
    throw new PeakPruneError(
      'invalid-model',
      `${zipName} contains ${declared.size} files, more than the limit of ${limits.maxEntries}; zip only the model's files.`,
    );
  }
  const total = [...declared.values()].reduce((sum, size) => sum + size, 0);
  if (total > limits.maxExpandedBytes) {
    throw new PeakPruneError(
      'invalid-model',
      `${zipName} expands to ${formatBytes(total)}, more than the limit of ${formatBytes(limits.maxExpandedBytes)}; zip only the model's files, or choose them unzipped.`,
    );
  }
}

/** Inflates one entry into `contents`, stopping when it outgrows its declared size. */
function collectEntry(zipName: string, entry: UnzipFile, declaredSize: number, contents: Map<string, Uint8Array[]>): void {
  const chunks: Uint8Array[] = [];
  let received = 0;
  entry.ondata = (error, chunk, final) => {
    // fflate passes an error thrown by this handler back into it, so a PeakPruneError is the size check's own.
    if (error) throw error instanceof PeakPruneError ? error : damaged(zipName, error);
    received += chunk.length;
    if (received > declaredSize) {
      entry.terminate();
      throw new PeakPruneError(
        'invalid-model',
        `${zipName}: entry "${entry.name}" expands beyond the ${formatBytes(declaredSize)} its header declares, so the zip is damaged or forged; zip the model again.`,
      );
    }
    chunks.push(chunk);
    if (final) contents.set(entry.name, chunks);
  };
  entry.start();
}

function damaged(zipName: string, error: unknown): PeakPruneError {
  const detail = error instanceof Error ? error.message : String(error);
  return new PeakPruneError('invalid-model', `${zipName} is not a readable zip file (${detail}); zip the model again or choose its files unzipped.`);
}

function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}
