// Reads metadata.json of a Teachable Machine image-model export (model.json, weights.bin and
// metadata.json). It contains the class names and the square input size the model was trained on.
import { PeakPruneError } from '../errors';
import { baseName, decodeText, type InputFile } from './inputs';

export interface TeachableMetadata {
  classNames: string[];
  /** Side of the square input images, in pixels. */
  imageSize?: number;
  /** The export's own name for the model, when it has one. */
  modelName?: string;
}

/** Returns whether the file is a metadata.json next to a model (by name only; content is checked on reading). */
export function isMetadataFile(file: InputFile): boolean {
  return baseName(file.path).toLowerCase() === 'metadata.json';
}

/** Parses a Teachable Machine metadata.json; it must list the class names under "labels". */
export function readTeachableMetadata(file: InputFile): TeachableMetadata {
  let json: unknown;
  try {
    json = JSON.parse(decodeText(file.bytes));
  } catch {
    throw new PeakPruneError('invalid-model', `${file.path} is not valid JSON; export the Teachable Machine model again, or leave metadata.json out.`);
  }
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const labels = record.labels;
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) {
    throw new PeakPruneError('invalid-model', `${file.path} has no "labels" list of class names, so it is not Teachable Machine metadata; leave it out or fix it.`);
  }
  const metadata: TeachableMetadata = { classNames: labels as string[] };
  if (typeof record.imageSize === 'number' && Number.isInteger(record.imageSize) && record.imageSize > 0) metadata.imageSize = record.imageSize;
  if (typeof record.modelName === 'string') metadata.modelName = record.modelName;
  return metadata;
}

/** Returns a warning when the metadata disagrees with the model's input side or class count. */
export function teachableMismatch(metadata: TeachableMetadata, inputShape: readonly (number | null)[], classCount: number | null, path: string): string | undefined {
  if (classCount !== null && classCount !== metadata.classNames.length) {
    return `${path} lists ${metadata.classNames.length} class names but the model outputs ${classCount} classes; the names are ignored.`;
  }
  const side = inputShape[1];
  if (metadata.imageSize !== undefined && side !== null && side !== undefined && side !== metadata.imageSize) {
    return `${path} gives an image size of ${metadata.imageSize} but the model takes ${side}-pixel images; the model's size is used.`;
  }
  return undefined;
}
