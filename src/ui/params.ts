// URL query parameters of the page:
//   ?calibration=N  use only the first N shipped calibration images (default: all of them)
//   ?evaluation=M   use only the first M shipped evaluation images (default: all of them)
// Browser tests pass small numbers so that analysis and evaluation finish quickly.

export interface SampleLimits {
  calibration?: number;
  evaluation?: number;
}

const LIMIT_NAMES = ['calibration', 'evaluation'] as const;

/** Reads the image limits from a query string; a missing, non-integer or negative value means no limit. */
export function readSampleLimits(search: string): SampleLimits {
  const params = new URLSearchParams(search);
  return { calibration: positiveInteger(params.get('calibration')), evaluation: positiveInteger(params.get('evaluation')) };
}

/**
 * Returns one sentence naming the image limits in `search` that readSampleLimits ignores
 * (present but not a positive integer), or undefined when there are none.
 */
export function describeIgnoredLimits(search: string): string | undefined {
  const params = new URLSearchParams(search);
  const ignored = LIMIT_NAMES.filter((name) => params.has(name) && positiveInteger(params.get(name)) === undefined).map(
    (name) => `${name}=${params.get(name) ?? ''}`,
  );
  if (ignored.length === 0) return undefined;
  const list = ignored.map((entry) => `"${entry}"`).join(' and ');
  return `Ignored ${list} in the URL: a limit must be a whole number of images above 0, so all images of that set are used.`;
}

function positiveInteger(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}
