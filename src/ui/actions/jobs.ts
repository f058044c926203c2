import type { ProgressCallback } from '../../core/types';
import { describeError, isCancelled } from '../messages';
import { useStore } from '../store';

/** Context passed to a job's work: its abort signal and a progress callback that updates the status line. */
export interface JobContext {
  signal: AbortSignal;
  onProgress: ProgressCallback;
}

export interface JobHandlers<T> {
  /** Status line after success; defaults to "<label>: done." */
  describeDone?: (value: T, seconds: number) => string;
  /** Status line after Cancel; defaults to "Cancelled: <label> was stopped; earlier results are kept." */
  describeCancelled?: () => string;
  /** Receiver of a failure's sentence; the error banner when absent. */
  onError?: (message: string) => void;
}

/**
 * Runs one long job with the status line, the progress bar and the Cancel button. Resolves to
 * the work's value, or to undefined when it was cancelled (status "Cancelled") or failed (the
 * sentence goes to `onError` or the banner). Earlier results are never touched here: the
 * caller installs the value, and only on success. A success dismisses the banner of an earlier
 * failure.
 */
export async function runJob<T>(label: string, work: (context: JobContext) => Promise<T>, handlers: JobHandlers<T> = {}): Promise<T | undefined> {
  const store = useStore.getState();
  if (store.job !== undefined) {
    store.showError(`Wait for "${store.job.label}" to finish, or cancel it, before starting something else.`);
    return undefined;
  }
  const job = store.startJob(label);
  const errorBefore = store.error;
  const onProgress: ProgressCallback = (progress) => useStore.getState().setProgress(job.id, progress);
  try {
    const value = await work({ signal: job.controller.signal, onProgress });
    const seconds = (performance.now() - job.startedAt) / 1000;
    useStore.getState().finishJob(job.id, handlers.describeDone?.(value, seconds) ?? `${label}: done.`, 'done');
    // A banner from before this job describes a failure the user has since worked past.
    if (errorBefore !== undefined && useStore.getState().error === errorBefore) useStore.getState().dismissError();
    return value;
  } catch (error) {
    if (isCancelled(error)) {
      const status = handlers.describeCancelled?.() ?? `Cancelled: ${lowerFirst(label)} was stopped; earlier results are kept.`;
      useStore.getState().finishJob(job.id, status, 'cancelled');
    } else {
      useStore.getState().finishJob(job.id, `${label} failed.`, 'failed');
      (handlers.onError ?? useStore.getState().showError)(describeError(error));
    }
    return undefined;
  }
}

/** Asks the running job to stop; it ends with the status "Cancelled" at its next check. */
export function cancelJob(): void {
  useStore.getState().job?.controller.abort();
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
