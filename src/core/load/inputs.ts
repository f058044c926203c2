// The files a user brings as a model, reduced to what every source (file picker, dropped folder,
// zip entry, URL, file system) can give: a relative path and the bytes. Pure, so Node and the
// worker share it.
import { strFromU8 } from 'fflate';

/** One file of a model: `path` is relative (a folder pick gives "folder/model.json"). */
export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

/** Largest total size of a zip's entries after inflating, checked before inflating. */
export const MAX_ZIP_EXPANDED_BYTES = 1024 * 1024 * 1024;

/** Most entries read from one zip. */
export const MAX_ZIP_ENTRIES = 10_000;

/** Returns the last segment of a path with either slash. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** Returns the folder part of a path ('' for a bare name), with forward slashes. */
export function folderOf(path: string): string {
  const normalized = normalizePath(path);
  const cut = normalized.lastIndexOf('/');
  return cut < 0 ? '' : normalized.slice(0, cut);
}

/** Uses forward slashes and drops "./" segments and leading slashes. */
export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

/** Joins a folder and a relative path, resolving "..". */
export function joinPath(folder: string, relative: string): string {
  const parts: string[] = [];
  for (const segment of `${folder}/${relative}`.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/');
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP_SIGNATURE = [0x50, 0x4b, 0x05, 0x06];
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte);
}

export function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, ZIP_SIGNATURE) || startsWith(bytes, EMPTY_ZIP_SIGNATURE);
}

/** Returns whether the bytes start with the HDF5 superblock signature at offset 0. */
export function isHdf5(bytes: Uint8Array): boolean {
  return startsWith(bytes, HDF5_SIGNATURE);
}

/** Returns whether the first non-blank character (after a UTF-8 byte order mark) opens a JSON object. */
export function startsLikeJsonObject(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x7b;
}

/** Decodes UTF-8 (fflate's decoder, because the core compiles without DOM or Node types). */
export function decodeText(bytes: Uint8Array): string {
  return strFromU8(bytes);
}

/** Formats a byte count in MiB with one decimal, or in bytes below 1 MiB. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
