import { describe, expect, it } from 'vitest';

import { parseCsv, parseLabelCsv } from '../../src/core/images/csv';
import { mapClasses, parseClassNames } from '../../src/core/images/labels';
import { findSideFiles, planLayout } from '../../src/core/images/layout';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks', () => {
    const rows = parseCsv('a,"b, c","say ""hi""","two\nlines"\r\nd,e\r\n', 'x.csv');
    expect(rows.map((row) => row.fields)).toEqual([
      ['a', 'b, c', 'say "hi"', 'two\nlines'],
      ['d', 'e'],
    ]);
    expect(rows[1].line).toBe(3);
  });

  it('drops a byte-order mark and blank lines', () => {
    const rows = parseCsv('\uFEFFa,1\n\n\nb,2', 'x.csv');
    expect(rows.map((row) => row.fields)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(rows[1].line).toBe(4);
  });

  it('detects a semicolon delimiter', () => {
    expect(parseCsv('a;1\nb;2', 'x.csv').map((row) => row.fields)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('rejects an unclosed quote', () => {
    expect(() => parseCsv('a,1\nb,"2\n', 'labels.csv')).toThrow(/labels\.csv: a quoted field that starts on line 2 is never closed/);
  });
});

describe('parseLabelCsv', () => {
  it('skips a header row', () => {
    const rows = parseLabelCsv('filename,label\ncat1.png,cat\nsub\\dog1.png,dog\n', 'labels.csv');
    expect(rows).toEqual([
      { file: 'cat1.png', label: 'cat', line: 2 },
      { file: 'sub/dog1.png', label: 'dog', line: 3 },
    ]);
  });

  it('keeps a first row that is data', () => {
    expect(parseLabelCsv('a.png,3\nb.png,4', 'labels.csv')).toHaveLength(2);
  });

  it('rejects a row without a label', () => {
    expect(() => parseLabelCsv('a.png,cat\nb.png\n', 'labels.csv')).toThrow(/labels\.csv line 2: expected a file name and a label/);
  });

  it('rejects one file with two labels', () => {
    expect(() => parseLabelCsv('a.png,cat\nb.png,dog\na.png,dog\n', 'labels.csv')).toThrow(
      /labels\.csv line 3: a\.png is labelled "dog" but line 1 labels it "cat"/,
    );
  });

  it('accepts a file repeated with the same label', () => {
    expect(parseLabelCsv('a.png,cat\na.png,cat\n', 'labels.csv')).toHaveLength(1);
  });

  it('rejects a header-only file', () => {
    expect(() => parseLabelCsv('file,label\n', 'labels.csv')).toThrow(/labels\.csv lists no images/);
  });
});

describe('parseClassNames', () => {
  it('reads one name per line', () => {
    expect(parseClassNames('cat\r\n dog \n\nbird\n', 'labels.txt')).toEqual(['cat', 'dog', 'bird']);
  });

  it('reads a JSON array', () => {
    expect(parseClassNames('["a", "b"]', 'labels.json')).toEqual(['a', 'b']);
  });

  it("reads Teachable Machine's metadata labels", () => {
    expect(parseClassNames('{"tfjsVersion":"1.3.1","labels":["Class 1","Class 2"],"imageSize":224}', 'metadata.json')).toEqual(['Class 1', 'Class 2']);
  });

  it('rejects JSON without a list', () => {
    expect(() => parseClassNames('{"imageSize":224}', 'metadata.json')).toThrow(/metadata\.json has no list of class names/);
  });

  it('rejects an empty file', () => {
    expect(() => parseClassNames(' \n', 'labels.txt')).toThrow(/labels\.txt lists no class names/);
  });
});

describe('mapClasses', () => {
  const classes = (...names: string[]) => names.map((name) => ({ name, count: 2, firstFile: `${name}/1.png` }));

  it('maps names in alphabetical order', () => {
    const mapping = mapClasses({ classes: classes('dog', 'cat'), classCount: 2 });
    expect(mapping.classes.map((entry) => [entry.name, entry.index])).toEqual([
      ['cat', 0],
      ['dog', 1],
    ]);
    expect(mapping.mismatch).toBeUndefined();
  });

  it("maps by the model's names, ignoring case", () => {
    const mapping = mapClasses({ classes: classes('Dog', 'bird'), classCount: 3, modelClassNames: ['cat', 'dog', 'bird'] });
    expect(mapping.classes.map((entry) => [entry.name, entry.index])).toEqual([
      ['Dog', 1],
      ['bird', 2],
    ]);
    expect(mapping.mismatch).toMatch(/2 classes but the model has 3 outputs/);
  });

  it("rejects a name outside the model's names", () => {
    expect(() => mapClasses({ classes: classes('cat', 'horse'), classCount: 2, modelClassNames: ['cat', 'dog'] })).toThrow(
      /Class "horse" \(for example horse\/1\.png\) is not one of the model's classes \("cat", "dog"\)/,
    );
  });

  it('uses number names as indices', () => {
    const mapping = mapClasses({ classes: classes('10', '2'), classCount: 12 });
    expect(mapping.classes.map((entry) => [entry.name, entry.index])).toEqual([
      ['2', 2],
      ['10', 10],
    ]);
    expect(mapping.classNames).toHaveLength(12);
  });

  it('rejects a number past the output size', () => {
    expect(() => mapClasses({ classes: classes('0', '10'), classCount: 10 })).toThrow(/Class "10" \(for example 10\/1\.png\) maps to output 10, but the model has only 10 outputs/);
  });

  it('rejects more classes than outputs', () => {
    expect(() => mapClasses({ classes: classes('a', 'b', 'c'), classCount: 2 })).toThrow(/Class "c" .* maps to output 2/);
  });
});

describe('planLayout', () => {
  it('reads classes from folders below the picked folder', () => {
    const paths = ['pets/cat/1.png', 'pets/cat/2.jpg', 'pets/dog/a/3.webp', 'pets/notes.txt', 'pets/4.png', 'pets/.DS_Store'];
    const plan = planLayout(paths, findSideFiles(paths));
    expect(plan.layout).toBe('image-folder');
    expect(plan.images.map((image) => [image.path, image.className])).toEqual([
      ['pets/cat/1.png', 'cat'],
      ['pets/cat/2.jpg', 'cat'],
      ['pets/dog/a/3.webp', 'dog'],
    ]);
    expect(plan.skipped.map((entry) => entry.file)).toEqual(['pets/notes.txt', 'pets/4.png']);
    expect(plan.skipped[1].reason).toBe('not inside a class folder');
  });

  it('treats a flat folder as unlabelled', () => {
    const paths = ['shots/a.png', 'shots/b.gif'];
    const plan = planLayout(paths, findSideFiles(paths));
    expect(plan.layout).toBe('unlabelled');
    expect(plan.images.every((image) => image.className === undefined)).toBe(true);
    expect(plan.note).toMatch(/calibration only/);
  });

  it('labels by CSV rows that match path endings', () => {
    const paths = ['data/labels.csv', 'data/img/a.png', 'data/img/b.png', 'data/img/c.png'];
    const side = findSideFiles(paths);
    expect(side.csv).toBe(0);
    const rows = parseLabelCsv('file,label\na.png,cat\nimg/b.png,dog\nmissing.png,dog\n', 'labels.csv');
    const plan = planLayout(paths, side, rows, 'labels.csv');
    expect(plan.layout).toBe('csv');
    expect(plan.images.map((image) => [image.path, image.className])).toEqual([
      ['data/img/a.png', 'cat'],
      ['data/img/b.png', 'dog'],
    ]);
    expect(plan.skipped).toEqual([{ file: 'data/img/c.png', reason: 'not listed in labels.csv' }]);
    expect(plan.note).toMatch(/1 file\(s\) listed in labels\.csv were not among the picked files, for example missing\.png \(line 4\)/);
  });

  it('finds a class-names file', () => {
    expect(findSideFiles(['m/metadata.json', 'm/a/1.png']).classNames).toBe(0);
  });

  it('rejects two CSV files', () => {
    expect(() => findSideFiles(['a.csv', 'b.csv', 'x/1.png'])).toThrow(/Several CSV files were picked \(a\.csv, b\.csv\)/);
  });

  it('rejects a pick without images', () => {
    expect(() => planLayout(['a.txt'], {})).toThrow(/None of the picked files is an image/);
  });

  it('rejects a CSV that matches no image', () => {
    const rows = parseLabelCsv('x.png,cat\n', 'labels.csv');
    expect(() => planLayout(['a.png'], {}, rows, 'labels.csv')).toThrow(/No picked image is listed in labels\.csv \(its first row names x\.png\)/);
  });
});
