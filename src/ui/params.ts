// URL query parameters of the page:
//   ?calibration=N  use only the first N shipped calibration images (default: all of them)
//   ?evaluation=M   use only the first M shipped evaluation images (default: all of them)
// Browser tests pass small numbers so that analysis and evaluation finish quickly.

export interface SampleLimits {
  calibration?: number;
  evaluation?: number;
}

/** Reads the image limits from a query string; a missing, non-integer or negative value means no limit. */
export function readSampleLimits(search: string): SampleLimits {
  const params = new URLSearchParams(search);
  return { calibration: positiveInteger(params.get('calibration')), evaluation: positiveInteger(params.get('evaluation')) };
}

function positiveInteger(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}
