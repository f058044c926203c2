// Class names and the mapping from a data set's classes to the model's output indices.
import { PeakPruneError } from '../errors';

/**
 * Reads class names from a labels file: a JSON array of strings, a JSON object with a
 * "labels" or "classNames" array (Teachable Machine's metadata.json has "labels"), or plain
 * text with one name per line. A Teachable Machine style "0 cat" line prefix is kept as written.
 * Throws `invalid-images` naming the file when it lists no name.
 */
export function parseClassNames(text: string, fileName: string): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  let names: string[] | undefined;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    names = namesFromJson(trimmed, fileName);
  } else {
    names = trimmed
      .split(/\r?\n|\r/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }
  if (names.length === 0) {
    throw new PeakPruneError('invalid-images', `${fileName} lists no class names; put one class name per line, in the model's output order.`);
  }
  return names;
}

function namesFromJson(text: string, fileName: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PeakPruneError('invalid-images', `${fileName} is not valid JSON (${(error as Error).message}); fix it or use one class name per line.`);
  }
  const record = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const list = Array.isArray(json) ? json : (record?.labels ?? record?.classNames);
  if (!Array.isArray(list) || !list.every((name) => typeof name === 'string')) {
    throw new PeakPruneError('invalid-images', `${fileName} has no list of class names; expected a JSON array of strings or an object with a "labels" array.`);
  }
  return list.map((name) => name.trim());
}

/** One class of the images and the model output it is scored against. */
export interface ClassMatch {
  /** Class as the images name it: a folder name or a CSV label. */
  name: string;
  /** Index of the model output this class is compared with. */
  index: number;
  /** Images of this class. */
  count: number;
}

/** Correspondence between the images' classes and the model's outputs. */
export interface ClassMapping {
  /** Names of the model's outputs in index order, as far as known. */
  classNames: string[];
  classes: ClassMatch[];
  /** Rule the match followed, in one sentence for the mapping view. */
  rule: string;
  /** Set when the number of classes differs from the model's output size. */
  mismatch?: string;
}

export interface MappingInput {
  /** Class names of the images, each with its image count and the first file, for messages. */
  classes: readonly { name: string; count: number; firstFile: string }[];
  /** Model output size; null when the model leaves it open. */
  classCount: number | null;
  /** Names of the model's outputs from a labels file or the model's metadata, in index order. */
  modelClassNames?: readonly string[];
}

/** Orders classes by name in code-unit order, the order of a sorted folder listing. */
function byName(a: { name: string }, b: { name: string }): number {
  if (a.name < b.name) return -1;
  if (a.name > b.name) return 1;
  return 0;
}

/**
 * Maps the images' classes to model outputs, by the first rule that applies:
 * 1. with the model's class names, by name (exact, then ignoring case and surrounding spaces);
 * 2. when every class is a whole number (folders "0", "1", ...), that number is the index;
 * 3. otherwise by code-point order of the names, the first name getting index 0.
 * Throws `invalid-images` naming the class and one of its files when a class matches no model
 * output: a name missing from the model's names, or an index at or past the output size.
 */
export function mapClasses(input: MappingInput): ClassMapping {
  const { classes, classCount, modelClassNames } = input;
  const sorted = [...classes].sort(byName);
  let mapping: ClassMapping;
  if (modelClassNames !== undefined && modelClassNames.length > 0) {
    mapping = mapByName(sorted, modelClassNames);
  } else if (sorted.length > 0 && sorted.every((entry) => /^\d+$/.test(entry.name))) {
    mapping = mapByNumber(sorted, classCount);
  } else {
    mapping = {
      classNames: sorted.map((entry) => entry.name),
      classes: sorted.map((entry, index) => ({ name: entry.name, index, count: entry.count })),
      rule: 'Classes are matched to model outputs in alphabetical order of their names.',
    };
  }
  const firstFiles = new Map(classes.map((entry) => [entry.name, entry.firstFile]));
  for (const match of mapping.classes) {
    if (classCount !== null && match.index >= classCount) {
      const example = firstFiles.get(match.name);
      throw new PeakPruneError(
        'invalid-images',
        `Class "${match.name}" (for example ${example}) maps to output ${match.index}, but the model has only ${classCount} outputs; remove that class or load a labels file that names the model's classes.`,
      );
    }
  }
  if (classCount !== null && mapping.classes.length !== classCount) {
    mapping.mismatch = `The images have ${mapping.classes.length} classes but the model has ${classCount} outputs; check the mapping below.`;
  }
  return mapping;
}

function mapByName(sorted: readonly MappingInput['classes'][number][], modelNames: readonly string[]): ClassMapping {
  const loose = (name: string) => name.trim().toLowerCase();
  const classes = sorted.map((entry) => {
    let index = modelNames.indexOf(entry.name);
    if (index < 0) index = modelNames.findIndex((name) => loose(name) === loose(entry.name));
    if (index < 0) {
      throw new PeakPruneError(
        'invalid-images',
        `Class "${entry.name}" (for example ${entry.firstFile}) is not one of the model's classes (${describeNames(modelNames)}); rename it or remove those images.`,
      );
    }
    return { name: entry.name, index, count: entry.count };
  });
  return { classNames: [...modelNames], classes, rule: "Classes are matched to the model's class names by name." };
}

function mapByNumber(sorted: readonly MappingInput['classes'][number][], classCount: number | null): ClassMapping {
  const classes = sorted.map((entry) => ({ name: entry.name, index: Number(entry.name), count: entry.count })).sort((a, b) => a.index - b.index);
  const size = Math.max(classCount ?? 0, ...classes.map((entry) => entry.index + 1));
  const names = Array.from({ length: size }, (_, index) => String(index));
  return { classNames: names, classes, rule: 'Class names are numbers, and each number is the model output index.' };
}

function describeNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((name) => `"${name}"`);
  return names.length > 10 ? `${shown.join(', ')} and ${names.length - 10} more` : shown.join(', ');
}
