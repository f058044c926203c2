/** Failure codes that the page and the command-line tool turn into one plain sentence. */
export type ErrorCode =
  | 'cancelled'
  | 'invalid-model'
  | 'invalid-images'
  | 'invalid-options'
  | 'no-prunable-layers'
  | 'backend-failed'
  | 'internal';

/**
 * An error a person can act on: the message names what failed (file, layer or image)
 * and what to do next. The code survives structured cloning as a plain field.
 */
export class PeakPruneError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'PeakPruneError';
    this.code = code;
  }
}

/** Throws a `cancelled` error when the signal has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new PeakPruneError('cancelled', 'The job was cancelled; earlier results are kept.');
  }
}
