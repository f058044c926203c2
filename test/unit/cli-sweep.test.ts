import { readFile } from 'node:fs/promises';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { SweepResult } from '../../src/cli/commands/sweep-output';
import { createCliFixture, type CliFixture } from './helpers/cli-fixture';

const METHODS = ['dpc-apoz', 'l1', 'l2', 'apoz', 'random', 'fpgm', 'density-peak', 'dpc-l1'];

let fixture: CliFixture;
let root: string;
let unprunedParams: number;
let unprunedTop1: number;
let runCli: CliFixture['runCli'];

beforeAll(async () => {
  fixture = await createCliFixture('peakprune-sweep-', 'tiny_sweep');
  ({ root, unprunedParams, unprunedTop1, runCli } = fixture);
});

afterAll(async () => {
  await fixture.remove();
});

describe('peakprune sweep', () => {
  it('writes one row per method, seed and ratio', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { code, stdout, stderr } = await runCli([
      'sweep', '--model', 'model/model.json', '--images', 'images',
      '--methods', METHODS.join(','), '--ratios', '0,0.5', '--seeds', '0,1', '--out', 'sweep',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    const lines = (await readFile(path.join(root, 'sweep', 'sweep.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0].startsWith('method,seed,ratio,params,flops,top1')).toBe(true);
    // Seven methods once and random with two seeds, each at two ratios.
    expect(lines).toHaveLength(1 + (7 + 2) * 2);

    const header = lines[0].split(',');
    const rows = lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i], cell])));
    for (const row of rows.filter((r) => r.ratio === '0')) {
      expect(Number(row.top1)).toBe(unprunedTop1);
      expect(Number(row.params)).toBe(unprunedParams);
    }
    for (const row of rows.filter((r) => r.ratio === '0.5')) {
      expect(Number(row.params)).toBeLessThan(unprunedParams);
    }
    expect(rows.filter((r) => r.method === 'random').map((r) => r.seed)).toEqual(['0', '0', '1', '1']);
    expect(rows.filter((r) => r.method !== 'random').every((r) => r.seed === '')).toBe(true);

    const json = JSON.parse(await readFile(path.join(root, 'sweep', 'sweep.json'), 'utf8')) as SweepResult;
    expect(json.rows).toHaveLength(18);
    expect(json.unpruned.top1).toBe(unprunedTop1);
    expect(json.settings).toMatchObject({ ratios: [0, 0.5], seeds: [0, 1], calibrationImages: 6, evaluationImages: 6 });
    expect(json.rows[0]).toMatchObject({ method: 'dpc-apoz', seed: null, ratio: 0 });

    expect(stdout).toMatch(/^top-1 \(%\) +0 +0\.5$/m);
    expect(stdout).toMatch(/^random \(mean of 2 seeds\) +\d/m);
    expect(stdout).toContain('re-estimated on 6 calibration images');
    expect(stdout).toContain('Wrote sweep.csv and sweep.json (18 rows) to sweep');
  });

  it('runs every method by default', async () => {
    const { code } = await runCli(['sweep', '--model', 'model/model.json', '--images', 'images', '--ratios', '0.3', '--out', 'default']);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(path.join(root, 'default', 'sweep.json'), 'utf8')) as SweepResult;
    expect(json.settings.methods).toEqual(METHODS);
    expect(json.rows.map((row) => row.method)).toEqual(METHODS);
  });

  it.each([
    [['--methods', 'l1,l3'], 'Option --methods has the unknown value "l3"'],
    [['--methods', 'l1,,l2'], 'Option --methods has an empty item'],
    [['--ratios', '0,1'], 'Option --ratios has the invalid value "1"'],
    [['--ratios', '0.1,0.1'], 'Option --ratios lists 0.1 twice'],
    [['--seeds', '-1'], 'Option --seeds needs a value'],
    [['--seeds', '1.5'], 'Option --seeds has the invalid value "1.5"'],
  ])('rejects %j', async (extra, message) => {
    const { code, stdout, stderr } = await runCli(['sweep', '--images', 'images', '--out', 'bad', ...extra]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('requires --out', async () => {
    const { code, stderr } = await runCli(['sweep', '--images', 'images']);
    expect(code).toBe(1);
    expect(stderr).toContain('Option --out is required');
  });
});

describe('peakprune prune with the new methods', () => {
  it.each(['density-peak', 'fpgm', 'random'])('prunes with %s', async (method) => {
    const { code, stdout } = await runCli([
      'prune', '--model', 'model/model.json', '--images', 'images', '--method', method, '--ratio', '0.5', '--out', `prune-${method}`,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`with ${method} at ratio 0.5`);
    const report = JSON.parse(await readFile(path.join(root, `prune-${method}`, 'report.json'), 'utf8'));
    // round(0.5 · 6) = 3 filters leave each of the two layers.
    expect(report.layers.map((layer: { removed: number[] }) => layer.removed.length)).toEqual([3, 3]);
    expect(report.plan).toMatchObject({ method, seed: 0 });
  });
});
