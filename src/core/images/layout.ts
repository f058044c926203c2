// Works out how a set of picked files is labelled: an ImageFolder tree, a flat folder with a
// labels CSV, or unlabelled images for calibration only. Works on relative paths alone.
import { PeakPruneError } from '../errors';
import type { LabelRow } from './csv';

/** File extensions decoded as images, in lower case. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp'];

/** Base names read as a list of class names. */
export const CLASS_NAME_FILES = ['labels.txt', 'classes.txt', 'class_names.txt', 'labels.json', 'metadata.json'];

/** Labelling scheme of a set of images. */
export type ImageLayout = 'image-folder' | 'csv' | 'unlabelled';

/** A picked file left out, with the reason in a few words. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** A picked file that will be decoded, with its class when the layout gives one. */
export interface LabelledPath {
  /** Index into the picked paths. */
  index: number;
  path: string;
  /** Folder name or CSV label; absent for unlabelled images. */
  className?: string;
}

export interface LayoutPlan {
  layout: ImageLayout;
  images: LabelledPath[];
  skipped: SkippedFile[];
  /** Remark for the user, for example CSV rows that name no picked file. */
  note?: string;
}

/** Picked files that are not images: a labels CSV and a list of class names. */
export interface SideFiles {
  /** Index of the one labels CSV, if any. */
  csv?: number;
  /** Index of the class-names file, if any. */
  classNames?: number;
}

/** Returns the lower-case extension of a path's base name, with its dot, or ''. */
export function extensionOf(path: string): string {
  const base = baseName(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True for files a file manager or archiver adds, which are ignored without a note. */
export function isSystemFile(path: string): boolean {
  const segments = path.split('/');
  const base = segments[segments.length - 1].toLowerCase();
  return segments.some((segment) => segment.startsWith('.') || segment === '__MACOSX') || base === 'thumbs.db' || base === 'desktop.ini';
}

/**
 * Finds the labels CSV and the class-names file among the picked paths.
 * Throws `invalid-images` when more than one CSV is picked, since only one can label the images.
 */
export function findSideFiles(paths: readonly string[]): SideFiles {
  const csvs: number[] = [];
  let classNames: number | undefined;
  paths.forEach((path, index) => {
    if (isSystemFile(path)) return;
    if (extensionOf(path) === '.csv') csvs.push(index);
    else if (CLASS_NAME_FILES.includes(baseName(path).toLowerCase()) && classNames === undefined) classNames = index;
  });
  if (csvs.length > 1) {
    const names = csvs.map((index) => paths[index]).join(', ');
    throw new PeakPruneError('invalid-images', `Several CSV files were picked (${names}); pick one labels CSV with the images.`);
  }
  return { csv: csvs[0], classNames };
}

/**
 * Assigns a class to every picked image. With `csvRows` the images are labelled by the CSV; an
 * image matches a row when the row's path equals the image's path or one of its trailing parts
 * (so "a.png" matches "photos/a.png"). Otherwise, after removing the folder that all paths share,
 * an image's first folder is its class (ImageFolder). When no image is inside a folder, the
 * images are unlabelled. Files that are not images, and images outside the labelling, are skipped.
 * Throws `invalid-images` when no picked file is an image, or no image matches a CSV row.
 */
export function planLayout(paths: readonly string[], side: SideFiles, csvRows?: readonly LabelRow[], csvName = 'the CSV'): LayoutPlan {
  const skipped: SkippedFile[] = [];
  const candidates: { index: number; path: string }[] = [];
  paths.forEach((path, index) => {
    if (isSystemFile(path) || index === side.csv || index === side.classNames) return;
    if (IMAGE_EXTENSIONS.includes(extensionOf(path))) candidates.push({ index, path });
    else skipped.push({ file: path, reason: `not an image file (expected ${IMAGE_EXTENSIONS.join(', ')})` });
  });
  if (candidates.length === 0) {
    throw new PeakPruneError('invalid-images', `None of the picked files is an image (${IMAGE_EXTENSIONS.join(', ')}); pick a folder or a zip of images.`);
  }
  if (csvRows !== undefined) return labelByCsv(candidates, csvRows, csvName, skipped);
  return labelByFolder(candidates, skipped);
}

function labelByCsv(candidates: readonly { index: number; path: string }[], rows: readonly LabelRow[], csvName: string, skipped: SkippedFile[]): LayoutPlan {
  const byFile = new Map(rows.map((row) => [row.file.replace(/^\.\//, ''), row]));
  const used = new Set<string>();
  const images: LabelledPath[] = [];
  for (const candidate of candidates) {
    const row = findRow(candidate.path, byFile);
    if (row === undefined) {
      skipped.push({ file: candidate.path, reason: `not listed in ${csvName}` });
      continue;
    }
    used.add(row.file);
    images.push({ ...candidate, className: row.label });
  }
  if (images.length === 0) {
    throw new PeakPruneError(
      'invalid-images',
      `No picked image is listed in ${csvName} (its first row names ${rows[0].file}); check that the first column holds the image file names.`,
    );
  }
  const missing = rows.filter((row) => !used.has(row.file));
  const note =
    missing.length === 0 ? undefined : `${missing.length} file(s) listed in ${csvName} were not among the picked files, for example ${missing[0].file} (line ${missing[0].line}).`;
  return { layout: 'csv', images, skipped, note };
}

function findRow(path: string, byFile: ReadonlyMap<string, LabelRow>): LabelRow | undefined {
  const segments = path.split('/');
  for (let start = 0; start < segments.length; start++) {
    const row = byFile.get(segments.slice(start).join('/'));
    if (row !== undefined) return row;
  }
  return undefined;
}

function labelByFolder(candidates: readonly { index: number; path: string }[], skipped: SkippedFile[]): LayoutPlan {
  const shared = sharedFolderDepth(candidates.map((candidate) => candidate.path));
  const relative = candidates.map((candidate) => ({ ...candidate, segments: candidate.path.split('/').slice(shared) }));
  if (relative.every((entry) => entry.segments.length === 1)) {
    return {
      layout: 'unlabelled',
      images: candidates.map((candidate) => ({ ...candidate })),
      skipped,
      note: 'The images are not in class folders and no labels CSV was picked, so they serve for calibration only and accuracy cannot be measured.',
    };
  }
  const images: LabelledPath[] = [];
  for (const entry of relative) {
    if (entry.segments.length === 1) skipped.push({ file: entry.path, reason: 'not inside a class folder' });
    else images.push({ index: entry.index, path: entry.path, className: entry.segments[0] });
  }
  return { layout: 'image-folder', images, skipped };
}

/** Number of leading folders that every path shares (the picked folder or the zip's top folder). */
function sharedFolderDepth(paths: readonly string[]): number {
  const folders = paths.map((path) => path.split('/').slice(0, -1));
  let depth = 0;
  while (folders.every((folder) => folder.length > depth && folder[depth] === folders[0][depth])) depth++;
  return depth;
}
