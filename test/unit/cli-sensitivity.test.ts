import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SensitivityResult } from '../../src/cli/commands/sensitivity';
import { createCliFixture, type CliFixture } from './helpers/cli-fixture';

let fixture: CliFixture;
let root: string;
let unprunedParams: number;
let unprunedTop1: number;
let runCli: CliFixture['runCli'];

beforeAll(async () => {
  fixture = await createCliFixture('peakprune-sensitivity-', 'tiny_sensitivity');
  ({ root, unprunedParams, unprunedTop1, runCli } = fixture);
});

afterAll(async () => {
  await fixture.remove();
});

type CsvRow = Record<string, string>;

async function readCsv(file: string): Promise<{ header: string; rows: CsvRow[] }> {
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
  const columns = lines[0].split(',');
  const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
  return { header: lines[0], rows };
}

describe('peakprune sensitivity', () => {
  it('writes rows, proposed ratios and the combined model', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCli([
      'sensitivity', '--model', 'model/model.json', '--images', 'images', '--method', 'l1',
      '--ratios', '0,0.5', '--max-drop', '1', '--out', 'all',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const { header, rows } = await readCsv(path.join(root, 'all', 'sensitivity.csv'));
    expect(header).toBe('layer,ratio,params,flops,top1');
    expect(rows.map((r) => [r.layer, r.ratio])).toEqual([['c1', '0'], ['c1', '0.5'], ['c2', '0'], ['c2', '0.5']]);
    for (const r of rows.filter((r) => r.ratio === '0')) {
      expect(Number(r.params)).toBe(unprunedParams);
      expect(Number(r.top1)).toBe(unprunedTop1);
    }
    for (const r of rows.filter((r) => r.ratio === '0.5')) expect(Number(r.params)).toBeLessThan(unprunedParams);

    // A maximum drop of 1 accepts every ratio, so each layer gets the largest one.
    const json = JSON.parse(await readFile(path.join(root, 'all', 'sensitivity.json'), 'utf8')) as SensitivityResult;
    expect(json.proposedRatios).toEqual({ c1: 0.5, c2: 0.5 });
    expect(json.rows).toHaveLength(4);
    expect(json.unpruned.top1).toBe(unprunedTop1);
    expect(json.settings).toMatchObject({ method: 'l1', ratios: [0, 0.5], maxDrop: 1, calibrationImages: 6, evaluationImages: 6 });

    // round(0.5 · 6) = 3 filters leave each layer in the combined prune.
    const report = JSON.parse(await readFile(path.join(root, 'all', 'proposed', 'report.json'), 'utf8'));
    expect(report.layers.map((layer: { removed: number[] }) => layer.removed.length)).toEqual([3, 3]);
    expect(report.plan.layerRatios).toEqual({ c1: 0.5, c2: 0.5 });
    expect(report.after.params).toBe(json.combined.params);
    expect(json.combined.params).toBeLessThan(Math.min(...json.rows.map((r) => r.params)));
    expect((await stat(path.join(root, 'all', 'proposed', 'model.json'))).isFile()).toBe(true);

    expect(stdout).toMatch(/^top-1 \(%\) +0 +0\.5 +proposed$/m);
    expect(stdout).toMatch(/^c1 +[\d.]+ +[\d.]+ +0\.5$/m);
    expect(stdout).toContain('Combined prune with the proposed ratios: top-1');
    expect(stdout).toContain('Wrote sensitivity.csv (4 rows), sensitivity.json and proposed/ to all');
  });

  it('proposes from the measured drops', async () => {
    const { code } = await runCli([
      'sensitivity', '--model', 'model/model.json', '--images', 'images', '--method', 'l1',
      '--ratios', '0,0.5', '--max-drop', '0', '--bn-images', '0', '--out', 'strict',
    ]);
    expect(code).toBe(0);
    const { rows } = await readCsv(path.join(root, 'strict', 'sensitivity.csv'));
    const json = JSON.parse(await readFile(path.join(root, 'strict', 'sensitivity.json'), 'utf8')) as SensitivityResult;

    // With no allowed drop, a layer keeps ratio 0.5 only if its top-1 did not fall at all.
    for (const layer of ['c1', 'c2']) {
      const half = rows.find((r) => r.layer === layer && r.ratio === '0.5')!;
      expect(json.proposedRatios[layer]).toBe(Number(half.top1) >= unprunedTop1 ? 0.5 : 0);
    }
  });

  it.each([
    [['--ratios', '0.1,0.1'], 'Option --ratios lists 0.1 twice'],
    [['--ratios', '0.1,,0.2'], 'Option --ratios has an empty item'],
    [['--ratios', '1'], 'Option --ratios has the invalid value "1"'],
    [['--max-drop', '2'], 'Option --max-drop has the invalid value "2"'],
  ])('rejects %j', async (extra, message) => {
    const { code, stdout, stderr } = await runCli(['sensitivity', '--images', 'images', '--out', 'bad', ...extra]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('requires --out', async () => {
    const { code, stderr } = await runCli(['sensitivity', '--images', 'images']);
    expect(code).toBe(1);
    expect(stderr).toContain('Option --out is required');
  });
});
