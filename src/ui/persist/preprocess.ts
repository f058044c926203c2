// Preprocessing settings remembered per model in localStorage, keyed by the model's name and
// input shape, so a model opened again gets the settings its images were last loaded with.
import { normalizePreprocessing, type Preprocessing } from '../../core/images/preprocess';

const KEY_PREFIX = 'peakprune.preprocessing:';

/** The part of a model that identifies its settings. */
export interface ModelKey {
  name: string;
  inputShape: readonly (number | null)[];
}

export function preprocessingKey(model: ModelKey): string {
  return `${KEY_PREFIX}${model.name}:${model.inputShape.map((d) => d ?? 'any').join('x')}`;
}

/**
 * Returns the settings stored for the model, or undefined when none are stored, storage is
 * unavailable, or the stored value is not valid for the model's channel count.
 */
export function loadPreprocessing(model: ModelKey, storage: Storage | undefined = globalStorage()): Preprocessing | undefined {
  let text: string | null;
  try {
    text = storage?.getItem(preprocessingKey(model)) ?? null;
  } catch {
    return undefined; // storage blocked by the browser's privacy settings: nothing remembered
  }
  if (text === null) return undefined;
  const channels = model.inputShape[2];
  try {
    const parsed = JSON.parse(text) as Preprocessing;
    return normalizePreprocessing(parsed, typeof channels === 'number' ? channels : 3);
  } catch {
    return undefined;
  }
}

/**
 * Stores the settings for the model. Returns an error sentence when the browser refuses
 * (quota exceeded or storage blocked), and undefined when they were stored.
 */
export function savePreprocessing(model: ModelKey, settings: Preprocessing, storage: Storage | undefined = globalStorage()): string | undefined {
  if (storage === undefined) return 'This browser offers no localStorage, so the preprocessing settings are not remembered.';
  try {
    storage.setItem(preprocessingKey(model), JSON.stringify(settings));
    return undefined;
  } catch (error) {
    const name = error instanceof DOMException ? error.name : 'Error';
    const reason = name === 'QuotaExceededError' ? 'the storage quota is full' : `the browser rejected the write (${String(error)})`;
    return `The preprocessing settings were not remembered because ${reason}; free some site data to keep them.`;
  }
}

function globalStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined;
  }
}
