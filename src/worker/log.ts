// The worker's one logging place. Timings and expected failures (a bad file, a cancel) are
// printed only in development builds; internal failures are always printed, because they are bugs.
import type { WireError } from './types';

const PREFIX = '[peakprune worker]';

export function logCall(name: string, startedAt: number, error?: WireError): void {
  const ms = Math.round(performance.now() - startedAt);
  if (error?.code === 'internal') {
    console.error(`${PREFIX} ${name} failed after ${ms} ms: ${error.message}`);
  } else if (import.meta.env.DEV) {
    console.debug(`${PREFIX} ${name} ${error === undefined ? 'done' : `failed (${error.code})`} in ${ms} ms`);
  }
}
