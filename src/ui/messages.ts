import { PeakPruneError } from '../core/errors';

/** Returns whether an error comes from the user's Cancel. */
export function isCancelled(error: unknown): boolean {
  return error instanceof PeakPruneError && error.code === 'cancelled';
}

/**
 * Turns an error into the one sentence the page shows. Coded errors already name the file or
 * layer and what to do. Anything else is a bug or a browser failure, so the sentence suggests a reload.
 */
export function describeError(error: unknown): string {
  if (error instanceof PeakPruneError) {
    switch (error.code) {
      case 'internal':
        return `Something failed inside PeakPrune (${error.message}); reload the page and try again.`;
      default:
        return error.message;
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Something failed on the page (${message}); reload the page and try again.`;
}
