import type { Progress, ProgressCallback } from '../core/types';

/** Minimum time between two progress messages to the page, in milliseconds. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Wraps a progress callback that posts a message per call so that it posts at most one
 * message per PROGRESS_INTERVAL_MS, except for a change of phase and for completion.
 */
export function throttleProgress(send: ProgressCallback): ProgressCallback {
  let lastTime = -Infinity;
  let lastPhase = '';
  return (progress: Progress) => {
    const now = performance.now();
    const urgent = progress.phase !== lastPhase || progress.done >= 1;
    if (!urgent && now - lastTime < PROGRESS_INTERVAL_MS) return;
    lastTime = now;
    lastPhase = progress.phase;
    send(progress);
  };
}

/**
 * Maps the progress of one step of a longer job onto the range [from, to] of the whole job,
 * so the page's bar and time estimate cover the job rather than restart at each step.
 * `phase`, when given, replaces the step's own phase name.
 */
export function scaleProgress(send: ProgressCallback, from: number, to: number, phase?: string): ProgressCallback {
  return (progress: Progress) =>
    send({ ...progress, phase: phase ?? progress.phase, done: from + (to - from) * clamp01(progress.done) });
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
