// The saved session in IndexedDB: one record per part (model, images, settings, result), each
// written when it changes, so a reload or a crash loses at most the last change.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

import type { FilterOverrides } from '../../core/plan';
import type { Preprocessing } from '../../core/images/preprocess';
import type { SplitSettings } from '../../core/images/split';
import type { DpcOptions, PlanOptions } from '../../core/types';
import type { PruneOutcome } from '../../worker/types';
import type { PreparedDownloads } from '../store/result';

const DB_NAME = 'peakprune-session';
const DB_VERSION = 1;
const STORE = 'session';

/** The original model: the shipped one (fetched again), or its files. */
export type SavedModel =
  | { kind: 'shipped' }
  | { kind: 'files'; source: string; modelJson: string; weights: ArrayBuffer; weightsFileName: string };

/** The images: the shipped sprites, or the user's picked files (Blobs are stored as they are). */
export type SavedImages = { kind: 'shipped' } | { kind: 'files'; source: string; files: { path: string; file: Blob }[] };

export interface SavedSettings {
  preprocessing: Preprocessing;
  split: SplitSettings;
  planOptions: PlanOptions;
  overrides: Record<string, FilterOverrides>;
  /** Clustering options per layer, hand-picked centers included. */
  layerDpc: Record<string, DpcOptions>;
}

export interface SavedResult {
  result: PruneOutcome;
  resultKey: string;
  downloads?: PreparedDownloads;
}

export interface SavedSession {
  model?: SavedModel;
  images?: SavedImages;
  settings?: SavedSettings;
  result?: SavedResult;
}

export type SessionPart = keyof SavedSession;

interface SessionSchema extends DBSchema {
  [STORE]: { key: SessionPart; value: SavedSession[SessionPart] & object };
}

let opening: Promise<IDBPDatabase<SessionSchema>> | undefined;

function database(): Promise<IDBPDatabase<SessionSchema>> {
  opening ??= openDB<SessionSchema>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
    },
  });
  return opening;
}

/** Reads every saved part; resolves to undefined when nothing is saved. */
export async function readSession(): Promise<SavedSession | undefined> {
  const db = await database();
  const session: SavedSession = {
    model: (await db.get(STORE, 'model')) as SavedModel | undefined,
    images: (await db.get(STORE, 'images')) as SavedImages | undefined,
    settings: (await db.get(STORE, 'settings')) as SavedSettings | undefined,
    result: (await db.get(STORE, 'result')) as SavedResult | undefined,
  };
  return session.model === undefined ? undefined : session;
}

/** Writes one part, or deletes it when `value` is undefined. Rejects with the browser's error (QuotaExceededError included). */
export async function writeSessionPart<K extends SessionPart>(part: K, value: SavedSession[K] | undefined): Promise<void> {
  const db = await database();
  if (value === undefined) await db.delete(STORE, part);
  else await db.put(STORE, value as SavedSession[SessionPart] & object, part);
}

/** Deletes every saved part. */
export async function clearSession(): Promise<void> {
  const db = await database();
  await db.clear(STORE);
}

/** Describes how much of the origin's storage quota is used, from navigator.storage.estimate(). */
export async function describeStorageUse(): Promise<string | undefined> {
  if (typeof navigator === 'undefined' || navigator.storage?.estimate === undefined) return undefined;
  const { usage, quota } = await navigator.storage.estimate();
  if (usage === undefined || quota === undefined) return undefined;
  return `${formatMegabytes(usage)} of ${formatMegabytes(quota)} used`;
}

/** Turns a failed write into a sentence naming what was not saved and what to do. */
export function describeSaveError(error: unknown, partName: string, usage: string | undefined): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  if (name === 'QuotaExceededError') {
    const used = usage === undefined ? '' : ` (${usage})`;
    return `The ${partName} could not be saved for a reload because this site's storage quota is full${used}; press New session to drop the saved one, or free site data in the browser settings.`;
  }
  return `The ${partName} could not be saved for a reload (${String(error)}); it stays usable until the page is closed.`;
}

function formatMegabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
