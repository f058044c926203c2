// Number formatting for the page. All functions return plain text.

const integer = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return integer.format(Math.round(value));
}

/** Formats a large count compactly: 1,234,567 becomes "1.23 M". */
export function formatLarge(value: number): string {
  if (Math.abs(value) >= 1e9) return `${(value / 1e9).toFixed(2)} G`;
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toFixed(1)} k`;
  return formatCount(value);
}

/** Formats a byte count in KB or MB (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${formatCount(bytes)} B`;
}

/** Formats a fraction in [0, 1] as a percentage, e.g. 0.9123 → "91.2 %". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Formats after / before as "× 0.62"; "–" when before is zero or either is missing. */
export function formatRatio(after: number | null, before: number | null): string {
  if (after === null || before === null || before === 0) return '–';
  return `× ${(after / before).toFixed(2)}`;
}

/** Formats the change between two fractions in percentage points, e.g. "−1.3 pts"; "–" when either is missing. */
export function formatPointChange(after: number | null, before: number | null): string {
  if (after === null || before === null) return '–';
  const points = (after - before) * 100;
  let sign = '±';
  if (points > 0) sign = '+';
  else if (points < 0) sign = '−';
  return `${sign}${Math.abs(points).toFixed(1)} pts`;
}

/** Formats a duration in seconds as "8 s", "2 min 5 s" or "1 h 3 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Estimates the seconds left of a job from the time spent and the fraction done, assuming a
 * constant rate. Returns undefined until the estimate means something (5 % done and 1 s spent).
 */
export function estimateSecondsLeft(elapsedMs: number, done: number): number | undefined {
  if (done < 0.05 || done >= 1 || elapsedMs < 1000) return undefined;
  return ((elapsedMs / done) * (1 - done)) / 1000;
}
