// Services shared by the commands: output streams, the working folder, the shipped defaults,
// progress on a terminal, and the tfjs cpu backend.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';

import type { Progress, ProgressCallback } from '../../core/types';

/** Output streams and working folder of one command-line run; tests pass their own. */
export interface CliIO {
  /** Receives the command's result (summary, JSON, help); nothing else goes there. */
  stdout(text: string): void;
  /** Receives errors, warnings, skipped files and, when `showProgress` is set, progress. */
  stderr(text: string): void;
  /** Whether to draw progress on stderr; true only when stderr is a terminal. */
  showProgress: boolean;
  /** Folder that relative paths are resolved against. */
  cwd: string;
}

/** Root of the package (the folder holding package.json), found from this file's location. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_MODEL = path.join(PACKAGE_ROOT, 'public/model/model.json');
export const DEFAULT_CALIBRATION_SPRITE = path.join(PACKAGE_ROOT, 'public/samples/calibration');
export const DEFAULT_EVALUATION_SPRITE = path.join(PACKAGE_ROOT, 'public/samples/evaluation');

export function resolvePath(io: CliIO, file: string): string {
  return path.resolve(io.cwd, file);
}

/** Returns `file` relative to the working folder when it lies below it, for shorter messages. */
export function displayPath(io: CliIO, file: string): string {
  const relative = path.relative(io.cwd, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * Selects tfjs's pure-JavaScript cpu backend. tfjs-node is not a dependency because its install
 * script downloads a native library. Production mode silences tfjs's console hint to install
 * tfjs-node, which would otherwise add lines to stderr before a one-line error.
 */
export async function useCpuBackend(): Promise<void> {
  tf.enableProdMode();
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs failed to initialise its cpu backend.');
  await tf.ready();
}

/** Progress drawn on one redrawn stderr line; silent unless `io.showProgress`. */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  private step = '';

  constructor(private readonly io: CliIO) {}

  /** Starts a named step, for example "evaluating the original model". */
  begin(step: string): void {
    this.step = step;
    this.draw(step, true);
  }

  /** Callback for the core's long jobs; redraws at most ten times a second. */
  readonly onProgress: ProgressCallback = (progress: Progress) => {
    const detail = progress.detail === undefined ? '' : ` ${progress.detail}`;
    const percent = Math.round(Math.min(Math.max(progress.done, 0), 1) * 100);
    this.draw(`${this.step}: ${progress.phase}${detail} ${percent} %`, progress.done >= 1);
  };

  /** Clears the progress line so that the next output starts on a clean line. */
  clear(): void {
    if (this.drawn) this.io.stderr('\r\x1b[K');
    this.drawn = false;
  }

  private draw(text: string, force: boolean): void {
    if (!this.io.showProgress) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.io.stderr(`\r\x1b[K${text}`);
    this.drawn = true;
  }
}
