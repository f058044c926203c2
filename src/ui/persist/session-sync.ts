// Keeps the saved session in step with the store: each part is written when the store's value
// for it changes, settings after a short pause so that dragging a slider writes once.
import type { ModelInfo } from '../../worker/types';
import { pickedImageFiles } from '../actions/images';
import { bridge } from '../bridge';
import { useStore, type Store } from '../store';
import { describeSaveError, describeStorageUse, writeSessionPart, type SavedModel, type SavedSettings, type SessionPart } from './session-db';

/** Pause after the last settings change before they are written, in milliseconds. */
const SETTINGS_DELAY_MS = 300;

/** The ModelInfo object of the shipped model, which is saved as a reference instead of files. */
let shippedModel: ModelInfo | undefined;
let pending: Promise<void> = Promise.resolve();
let settingsTimer: ReturnType<typeof setTimeout> | undefined;
/** Set by New session, so that no write lands between clearing the database and the reload. */
let suspended = false;
/** Whether a failed write was already shown in the banner. Later failures update only the session note. */
let failureShown = false;

/** Stops all further writes for the life of this page. */
export function suspendSessionSync(): void {
  suspended = true;
  if (settingsTimer !== undefined) clearTimeout(settingsTimer);
}

/** Records that `model` is the shipped model, so saving it stores no files. */
export function markShippedModel(model: ModelInfo): void {
  shippedModel = model;
}

/** Resolves when every write queued so far has finished. Browser tests wait on it before a reload. */
export async function flushSession(): Promise<void> {
  if (settingsTimer !== undefined) {
    clearTimeout(settingsTimer);
    settingsTimer = undefined;
    queue('settings', 'settings', async () => settingsOf(useStore.getState()));
  }
  await pending;
}

/** Starts saving store changes and returns the function that stops it. */
export function startSessionSync(): () => void {
  return useStore.subscribe((state, previous) => {
    if (state.model !== previous.model) queue('model', 'model', () => savedModel(state.model));
    if (state.imageLoad !== previous.imageLoad) queue('images', 'images', async () => savedImages(state));
    if (state.result !== previous.result || state.downloads !== previous.downloads) {
      queue('result', 'pruning result', async () =>
        state.result === undefined ? undefined : { result: state.result, resultKey: state.resultKey ?? '', downloads: state.downloads },
      );
    }
    if (settingsChanged(state, previous)) scheduleSettings();
  });
}

function settingsChanged(state: Store, previous: Store): boolean {
  return (
    state.preprocessing !== previous.preprocessing ||
    state.split !== previous.split ||
    state.planOptions !== previous.planOptions ||
    state.overrides !== previous.overrides ||
    state.layerDpc !== previous.layerDpc
  );
}

function scheduleSettings(): void {
  if (settingsTimer !== undefined) clearTimeout(settingsTimer);
  settingsTimer = setTimeout(() => {
    settingsTimer = undefined;
    queue('settings', 'settings', async () => settingsOf(useStore.getState()));
  }, SETTINGS_DELAY_MS);
}

/** Saves every part from the current store, for example right after a restore or a first load. */
export function saveWholeSession(): void {
  const state = useStore.getState();
  queue('model', 'model', () => savedModel(state.model));
  queue('images', 'images', async () => savedImages(state));
  queue('settings', 'settings', async () => settingsOf(state));
}

function settingsOf(state: Store): SavedSettings {
  return { preprocessing: state.preprocessing, split: state.split, planOptions: state.planOptions, overrides: state.overrides, layerDpc: state.layerDpc };
}

async function savedModel(model: ModelInfo | undefined): Promise<SavedModel | undefined> {
  if (model === undefined) return undefined;
  if (model === shippedModel) return { kind: 'shipped' };
  const files = await bridge.exportOriginal();
  return { kind: 'files', ...files };
}

function savedImages(state: Store) {
  const picked = pickedImageFiles();
  if (state.imageLoad === undefined || picked === undefined) return { kind: 'shipped' as const };
  return { kind: 'files' as const, source: picked.source, files: picked.files.map((entry) => ({ path: entry.path, file: entry.file })) };
}

/** Queues one write after the earlier ones, so parts are written in the order they changed. */
function queue<K extends SessionPart>(part: K, partName: string, value: () => Promise<Parameters<typeof writeSessionPart<K>>[1]>): void {
  pending = pending.then(async () => {
    if (suspended) return;
    try {
      await writeSessionPart(part, await value());
      useStore.getState().setSessionNote(`Session saved at ${new Date().toLocaleTimeString()}${await usageSuffix()}.`);
    } catch (error) {
      const message = describeSaveError(error, partName, await describeStorageUse().catch(() => undefined));
      useStore.getState().setSessionNote(message);
      if (!failureShown) useStore.getState().showError(message);
      failureShown = true;
    }
  });
}

async function usageSuffix(): Promise<string> {
  const usage = await describeStorageUse().catch(() => undefined);
  return usage === undefined ? '' : ` · ${usage}`;
}
