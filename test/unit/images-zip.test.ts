import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { listZip, unzipWithinLimits } from '../../src/core/images/zip';

/** Overwrites the declared uncompressed size of every central-directory entry. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  for (let offset = 0; offset + 46 <= copy.length; offset++) {
    if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, size, true);
  }
  return copy;
}

describe('zip guard', () => {
  const zip = zipSync({ 'cat/a.png': strToU8('aaaa'), 'cat/': new Uint8Array(0), 'dog/b.png': new Uint8Array(2_000_000) }, { level: 6 });

  it('lists declared sizes without folders', () => {
    expect(listZip(zip, 'images.zip')).toEqual({ files: 2, totalBytes: 2_000_004 });
  });

  it('inflates files within the limits', () => {
    const entries = unzipWithinLimits(zip, 'images.zip', { maxTotalBytes: 3_000_000, maxEntries: 10 });
    expect(entries.map((entry) => [entry.path, entry.data.length])).toEqual([
      ['cat/a.png', 4],
      ['dog/b.png', 2_000_000],
    ]);
  });

  it('rejects a zip that expands past the byte limit', () => {
    expect(zip.length).toBeLessThan(10_000);
    expect(() => unzipWithinLimits(zip, 'images.zip', { maxTotalBytes: 1_000_000, maxEntries: 10 })).toThrow(
      /images\.zip would expand to 1\.9 MiB, more than the limit of 976\.6 KiB/,
    );
  });

  it('rejects by declared size before inflating', () => {
    // 3.75 GiB declared per entry: inflating would need an impossible buffer, so only the listing can have run.
    const lying = declareSize(zip, 0xf0000000);
    expect(() => unzipWithinLimits(lying, 'bomb.zip')).toThrow(/bomb\.zip would expand to 7\.5 GiB/);
  });

  it('rejects too many files', () => {
    expect(() => unzipWithinLimits(zip, 'images.zip', { maxTotalBytes: 1e9, maxEntries: 1 })).toThrow(/images\.zip contains 2 files, more than the limit of 1/);
  });

  it('rejects bytes that are not a zip', () => {
    expect(() => unzipWithinLimits(strToU8('not a zip at all, just text that is long enough'), 'fake.zip')).toThrow(/fake\.zip could not be read as a zip archive/);
  });
});
