// The results script's pieces that need no browser: the sprites it writes for the page, which
// must hold exactly the images that `peakprune sweep --limit N` uses, and the replacement of the
// generated section of docs/results.md.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadPruneImages } from '../../src/cli/commands/prune-inputs';
import { PACKAGE_ROOT } from '../../src/cli/commands/io';
import { readSprite } from '../../src/cli/images';
import { BEGIN_MARKER, END_MARKER, replaceSection } from '../../scripts/results/report';
import { writeLimitedSprites } from '../../scripts/results/sprites';

const LIMIT = 40;

describe('writeLimitedSprites', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'peakprune-results-sprites-'));
    await writeLimitedSprites(PACKAGE_ROOT, dir, { calibration: LIMIT, evaluation: LIMIT }, 0);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the command line images', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined, showProgress: false, cwd: PACKAGE_ROOT };
    const format = { height: 28, width: 28, channels: 1, scale: 'divide-255' as const };
    const expected = await loadPruneImages(format, 10, { calibrationFraction: 0.5, seed: 0, limit: LIMIT }, io);
    for (const kind of ['calibration', 'evaluation'] as const) {
      const written = await readSprite(path.join(dir, `${kind}.png`), path.join(dir, `${kind}.json`));
      expect(written.labels.length, `${kind} count`).toBe(LIMIT);
      expect(written.labels, `${kind} labels`).toEqual(expected[kind].labels);
      expect(written.shape, `${kind} shape`).toEqual(expected[kind].shape);
      // Every pixel must survive the round trip through PNG bytes exactly.
      expect(written.pixels, `${kind} pixels`).toEqual(expected[kind].pixels);
    }
  });
});

describe('replaceSection', () => {
  const section = `${BEGIN_MARKER}\nnew\n${END_MARKER}`;

  it('replaces the text between the markers', () => {
    const doc = `# Title\n\nintro\n\n${BEGIN_MARKER}\nold\n${END_MARKER}\n\n## Later\n`;
    expect(replaceSection(doc, section)).toBe(`# Title\n\nintro\n\n${section}\n\n## Later\n`);
  });

  it('inserts after the first paragraph without markers', () => {
    expect(replaceSection('# Title\n\nintro\n', section)).toBe(`# Title\n\n${section}\n\nintro\n`);
  });
});
