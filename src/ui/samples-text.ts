// Wording for the loaded image sets in the header.
import { formatCount } from './format';
import type { SampleKind, SamplesInfo } from '../worker/types';

/** Fashion-MNIST's ten class names in label order, as its sprites list them. */
const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/**
 * Split each shipped sprite was cut from: the shipped calibration.png contains Fashion-MNIST
 * training images and evaluation.png test images, as the `split` field of their JSON states.
 * TODO: SamplesInfo does not carry the sprite's `split`, so other sprites get no split in the wording.
 */
const SHIPPED_SPLITS: Record<SampleKind, { file: string; split: string }> = {
  calibration: { file: 'calibration.png', split: 'training split' },
  evaluation: { file: 'evaluation.png', split: 'test split' },
};

/** Returns "Fashion-MNIST" when the class names are Fashion-MNIST's, otherwise undefined. */
export function datasetNameOf(classNames: readonly string[]): string | undefined {
  const same = classNames.length === FASHION_MNIST_CLASSES.length && classNames.every((name, i) => name === FASHION_MNIST_CLASSES[i]);
  return same ? 'Fashion-MNIST' : undefined;
}

/**
 * Describes both image sets on one line, e.g. "Fashion-MNIST · 1,000 calibration
 * (calibration.png, training split) · 1,000 evaluation (evaluation.png, test split)". Sets of an unknown data set get their class count
 * instead of the name, and a set not loaded yet reads "loading…" or "not loaded".
 */
export function describeLoadedImages(samples: Partial<Record<SampleKind, SamplesInfo>>, busy: boolean): string {
  const loaded = [samples.calibration, samples.evaluation].filter((set): set is SamplesInfo => set !== undefined);
  const names = new Set(loaded.map((set) => datasetNameOf(set.classNames)));
  const [onlyName] = names;
  const dataset = names.size === 1 ? onlyName : undefined;
  const parts = (['calibration', 'evaluation'] as const).map((kind) => describeSet(kind, samples[kind], dataset, busy));
  return dataset === undefined ? parts.join(' · ') : [dataset, ...parts].join(' · ');
}

function describeSet(kind: SampleKind, set: SamplesInfo | undefined, dataset: string | undefined, busy: boolean): string {
  if (set === undefined) return `${kind}: ${busy ? 'loading…' : 'not loaded'}`;
  const count = `${formatCount(set.count)} ${kind}`;
  if (set.classNames.length === 0) return `${count} (${set.source}, unlabelled)`;
  if (dataset === undefined) return `${count} (${set.source}, ${set.classNames.length} classes)`;
  const shipped = SHIPPED_SPLITS[kind];
  return set.source === shipped.file ? `${count} (${set.source}, ${shipped.split})` : `${count} (${set.source})`;
}
