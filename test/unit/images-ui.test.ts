import { describe, expect, it } from 'vitest';

import { describePick, nearChanceHint } from '../../src/ui/actions/images';
import { loadPreprocessing, preprocessingKey, savePreprocessing } from '../../src/ui/persist/preprocess';
import { describeSaveError } from '../../src/ui/persist/session-db';
import { describeLoadedImages } from '../../src/ui/samples-text';

/** An in-memory Storage; `full` makes every write fail as a full quota does. */
class MemoryStorage implements Storage {
  private readonly values = new Map<string, string>();
  constructor(private readonly full = false) {}
  get length() {
    return this.values.size;
  }
  clear() {
    this.values.clear();
  }
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  key(index: number) {
    return [...this.values.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.values.delete(key);
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.values.set(key, value);
  }
}

const MODEL = { name: 'mobilenet', inputShape: [224, 224, 3] };

describe('nearChanceHint', () => {
  it('warns at chance for ten classes', () => {
    expect(nearChanceHint(0.11, 10)).toMatch(/^The unpruned model scores 11\.0 %, close to the 10\.0 % of guessing among 10 classes\./);
  });

  it('stays quiet above the threshold', () => {
    // Threshold for 10 classes: 0.1 + 0.1 × 0.9 = 0.19.
    expect(nearChanceHint(0.19, 10)).toBeUndefined();
    expect(nearChanceHint(0.189, 10)).toBeDefined();
  });

  it('uses 55 % for two classes', () => {
    expect(nearChanceHint(0.549, 2)).toBeDefined();
    expect(nearChanceHint(0.55, 2)).toBeUndefined();
  });

  it('says nothing for one class', () => {
    expect(nearChanceHint(0, 1)).toBeUndefined();
  });
});

describe('describePick', () => {
  it('names a picked folder', () => {
    expect(describePick([{ path: 'pets/cat/1.png' }, { path: 'pets/dog/2.png' }])).toBe('pets/');
  });

  it('names a single file', () => {
    expect(describePick([{ path: 'images.zip' }])).toBe('images.zip');
  });

  it('counts loose files', () => {
    expect(describePick([{ path: 'a.png' }, { path: 'b.png' }, { path: 'labels.csv' }])).toBe('3 files');
  });
});

describe('remembered preprocessing', () => {
  const settings = { resize: 'center-crop' as const, scale: 'mean-std' as const, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };

  it('keys by model name and input shape', () => {
    expect(preprocessingKey(MODEL)).toBe('peakprune.preprocessing:mobilenet:224x224x3');
    expect(preprocessingKey({ name: 'm', inputShape: [null, null, 3] })).toBe('peakprune.preprocessing:m:anyxanyx3');
  });

  it('returns what was saved for the same model', () => {
    const storage = new MemoryStorage();
    expect(savePreprocessing(MODEL, settings, storage)).toBeUndefined();
    expect(loadPreprocessing(MODEL, storage)).toEqual(settings);
  });

  it('keeps models apart', () => {
    const storage = new MemoryStorage();
    savePreprocessing(MODEL, settings, storage);
    expect(loadPreprocessing({ name: 'mobilenet', inputShape: [96, 96, 3] }, storage)).toBeUndefined();
  });

  it('ignores a stored value that is not valid', () => {
    const storage = new MemoryStorage();
    storage.setItem(preprocessingKey(MODEL), '{"resize":"zoom"}');
    expect(loadPreprocessing(MODEL, storage)).toBeUndefined();
  });

  it('reports a full quota', () => {
    expect(savePreprocessing(MODEL, settings, new MemoryStorage(true))).toMatch(/not remembered because the storage quota is full/);
  });
});

describe('describeLoadedImages for own images', () => {
  it('says unlabelled when there are no class names', () => {
    const calibration = { kind: 'calibration' as const, source: '5 files', count: 5, classNames: [], shape: [28, 28, 1] as [number, number, number] };
    expect(describeLoadedImages({ calibration }, false)).toBe('5 calibration (5 files, unlabelled) · evaluation: not loaded');
  });
});

describe('describeSaveError', () => {
  it('names a full quota and the usage', () => {
    const message = describeSaveError(new DOMException('quota', 'QuotaExceededError'), 'images', '1.0 MB of 2.0 MB used');
    expect(message).toBe(
      "The images could not be saved for a reload because this site's storage quota is full (1.0 MB of 2.0 MB used); press New session to drop the saved one, or free site data in the browser settings.",
    );
  });

  it('passes other errors on', () => {
    expect(describeSaveError(new Error('disk gone'), 'model', undefined)).toBe('The model could not be saved for a reload (Error: disk gone); it stays usable until the page is closed.');
  });
});
