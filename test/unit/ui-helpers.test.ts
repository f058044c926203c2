import { describe, expect, it } from 'vitest';

import { DEFAULT_DPC_OPTIONS } from '../../src/core/types';
import { showsSingleClusterHint } from '../../src/ui/cluster-hint';
import { manifestShardNames, matchShards, parseModelJson, startsLikeJsonObject } from '../../src/ui/model-pick';
import { describeRange, parseInRange } from '../../src/ui/number-range';
import { describeIgnoredLimits } from '../../src/ui/params';
import { datasetNameOf, describeLoadedImages } from '../../src/ui/samples-text';
import type { SamplesInfo } from '../../src/worker/types';

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function samples(kind: SamplesInfo['kind'], count: number, classNames = FASHION, source = `${kind}.png`): SamplesInfo {
  return { kind, source, count, classNames, shape: [28, 28, 1] };
}

describe('describeLoadedImages', () => {
  it('names Fashion-MNIST and the shipped splits', () => {
    const text = describeLoadedImages({ calibration: samples('calibration', 1000), evaluation: samples('evaluation', 1000) }, false);
    expect(text).toBe('Fashion-MNIST · 1,000 calibration (calibration.png, training split) · 1,000 evaluation (evaluation.png, test split)');
  });

  it('marks a set still loading', () => {
    const text = describeLoadedImages({ calibration: samples('calibration', 32) }, true);
    expect(text).toBe('Fashion-MNIST · 32 calibration (calibration.png, training split) · evaluation: loading…');
  });

  it('omits the split for other sprite files', () => {
    const text = describeLoadedImages({ calibration: samples('calibration', 5, FASHION, 'mine.png') }, false);
    expect(text).toBe('Fashion-MNIST · 5 calibration (mine.png) · evaluation: not loaded');
  });

  it('stays generic for unknown classes', () => {
    const text = describeLoadedImages({ calibration: samples('calibration', 3, ['cat', 'dog']), evaluation: samples('evaluation', 4, ['cat', 'dog']) }, false);
    expect(text).toBe('3 calibration (calibration.png, 2 classes) · 4 evaluation (evaluation.png, 2 classes)');
  });

  it('recognises Fashion-MNIST only in label order', () => {
    expect(datasetNameOf(FASHION)).toBe('Fashion-MNIST');
    expect(datasetNameOf([...FASHION].reverse())).toBeUndefined();
    expect(datasetNameOf(FASHION.slice(0, 9))).toBeUndefined();
  });
});

describe('describeIgnoredLimits', () => {
  it('names each rejected limit', () => {
    expect(describeIgnoredLimits('?calibration=0')).toContain('"calibration=0"');
    expect(describeIgnoredLimits('?calibration=abc&evaluation=-2')).toContain('"calibration=abc" and "evaluation=-2"');
    expect(describeIgnoredLimits('?evaluation=1.5')).toContain('"evaluation=1.5"');
    expect(describeIgnoredLimits('?calibration=')).toContain('"calibration="');
  });

  it('returns undefined for valid or absent limits', () => {
    expect(describeIgnoredLimits('?calibration=32&evaluation=32')).toBeUndefined();
    expect(describeIgnoredLimits('')).toBeUndefined();
    expect(describeIgnoredLimits('?other=0')).toBeUndefined();
  });
});

describe('number ranges', () => {
  const percentile = { min: 0.1, max: 100 };
  const clusters = { min: 1, max: 16, integer: true, optional: true };

  it('describes the allowed values', () => {
    expect(describeRange(percentile)).toBe('a number from 0.1 to 100');
    expect(describeRange(clusters)).toBe('a whole number from 1 to 16, or empty');
  });

  it('rejects values outside the range', () => {
    expect(parseInRange('0', percentile)).toBe('invalid');
    expect(parseInRange('150', percentile)).toBe('invalid');
    expect(parseInRange('0.95', { min: 0, max: 0.9 })).toBe('invalid');
    expect(parseInRange('', percentile)).toBe('invalid');
    expect(parseInRange('abc', percentile)).toBe('invalid');
  });

  it('accepts bounds, integers and empty optional', () => {
    expect(parseInRange('0.1', percentile)).toBe(0.1);
    expect(parseInRange('100', percentile)).toBe(100);
    expect(parseInRange('3', clusters)).toBe(3);
    expect(parseInRange('2.5', clusters)).toBe('invalid');
    expect(parseInRange(' ', clusters)).toBeUndefined();
  });
});

describe('model file picking', () => {
  const modelJson = {
    modelTopology: { class_name: 'Sequential' },
    weightsManifest: [{ paths: ['group1-shard1of2', 'sub/group1-shard2of2.bin'], weights: [] }],
  };

  it('recognises model.json by content', () => {
    expect(parseModelJson(JSON.stringify(modelJson))).toEqual(modelJson);
    expect(parseModelJson('{"format":"peakprune-sprite-1"}')).toBeUndefined();
    expect(parseModelJson('[1,2]')).toBeUndefined();
    expect(parseModelJson('\u0000\u0001binary')).toBeUndefined();
  });

  it('tests the start of a file for JSON', () => {
    expect(startsLikeJsonObject('\uFEFF  \n{"a"')).toBe(true);
    expect(startsLikeJsonObject('\u0000{')).toBe(false);
  });

  it('matches extensionless shards by manifest', () => {
    const names = manifestShardNames(modelJson);
    expect(names).toEqual(['group1-shard1of2', 'group1-shard2of2.bin']);
    expect(matchShards(names, ['model.json', 'group1-shard1of2', 'notes.txt'])).toEqual({ found: ['group1-shard1of2'], missing: ['group1-shard2of2.bin'] });
  });

  it('reads no shards from a malformed manifest', () => {
    expect(manifestShardNames({ modelTopology: {}, weightsManifest: 'x' })).toEqual([]);
    expect(manifestShardNames({ modelTopology: {}, weightsManifest: [{ paths: [3, 'a'] }, null] })).toEqual(['a']);
  });
});

describe('showsSingleClusterHint', () => {
  it('shows only for one automatic cluster', () => {
    expect(showsSingleClusterHint(DEFAULT_DPC_OPTIONS, 1)).toBe(true);
    expect(showsSingleClusterHint(DEFAULT_DPC_OPTIONS, 2)).toBe(false);
    expect(showsSingleClusterHint({ ...DEFAULT_DPC_OPTIONS, clusterCount: 1 }, 1)).toBe(false);
    expect(showsSingleClusterHint({ ...DEFAULT_DPC_OPTIONS, centers: [0] }, 1)).toBe(false);
  });
});
