// Reads a zip archive of images after checking its declared sizes, so a zip bomb is rejected
// before anything is inflated.
import { unzipSync } from 'fflate';

import { PeakPruneError } from '../errors';

export interface ZipLimits {
  /** Maximum sum of the entries' declared uncompressed sizes, in bytes. */
  maxTotalBytes: number;
  /** Maximum number of file entries. */
  maxEntries: number;
}

/**
 * Default limits for image archives: 1 GiB uncompressed and 200,000 files. The worker keeps the
 * inflated files in memory, so the byte limit is an estimate of what a browser tab can afford.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotalBytes: 1024 ** 3, maxEntries: 200_000 };

/** One file of an archive: its path inside the archive and its bytes. */
export interface ZipEntry {
  path: string;
  data: Uint8Array;
}

/** Declared contents of an archive, read from its central directory without inflating anything. */
export interface ZipListing {
  files: number;
  totalBytes: number;
}

/**
 * Sums the declared uncompressed sizes of the archive's files (folder entries excluded).
 * Throws `invalid-images` naming the archive when it is not a zip.
 */
export function listZip(bytes: Uint8Array, fileName: string): ZipListing {
  let files = 0;
  let totalBytes = 0;
  readZip(bytes, fileName, (info) => {
    if (!info.name.endsWith('/')) {
      files++;
      totalBytes += info.originalSize;
    }
    return false;
  });
  return { files, totalBytes };
}

/**
 * Inflates the archive's files (folder entries excluded) once its declared sizes are within
 * `limits`. fflate writes each entry into a buffer of its declared size, so an entry that
 * inflates to more than it declares is cut off there, not grown.
 * Throws `invalid-images` naming the archive when it is not a zip, is over a limit, or uses a
 * compression method other than stored or deflate.
 */
export function unzipWithinLimits(bytes: Uint8Array, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  const listing = listZip(bytes, fileName);
  if (listing.totalBytes > limits.maxTotalBytes) {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName} would expand to ${formatBytes(listing.totalBytes)}, more than the limit of ${formatBytes(limits.maxTotalBytes)}; pick fewer or smaller images.`,
    );
  }
  if (listing.files > limits.maxEntries) {
    throw new PeakPruneError(
      'invalid-images',
      `${fileName} contains ${listing.files} files, more than the limit of ${limits.maxEntries}; pick fewer images.`,
    );
  }
  const inflated = readZip(bytes, fileName, (info) => !info.name.endsWith('/'));
  return Object.entries(inflated).map(([path, data]) => ({ path, data }));
}

function readZip(bytes: Uint8Array, fileName: string, filter: (info: { name: string; originalSize: number }) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter });
  } catch (error) {
    throw new PeakPruneError('invalid-images', `${fileName} could not be read as a zip archive (${(error as Error).message}); pick a valid .zip file.`);
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
