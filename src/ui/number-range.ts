// Allowed ranges of number fields, as the page states them.

export interface NumberRange {
  min: number;
  max: number;
  /** Only whole numbers are allowed. */
  integer?: boolean;
  /** An empty field is allowed. */
  optional?: boolean;
}

/** Describes the allowed values, e.g. "a number from 0.1 to 100" or "a whole number from 1 to 16, or empty". */
export function describeRange(range: NumberRange): string {
  const kind = range.integer === true ? 'a whole number' : 'a number';
  const empty = range.optional === true ? ', or empty' : '';
  return `${kind} from ${range.min} to ${range.max}${empty}`;
}

/** Parses field text: a number inside the range, undefined for an empty optional field, or 'invalid'. */
export function parseInRange(text: string, range: NumberRange): number | undefined | 'invalid' {
  if (text.trim() === '') return range.optional === true ? undefined : 'invalid';
  const value = Number(text);
  if (!Number.isFinite(value) || value < range.min || value > range.max) return 'invalid';
  if (range.integer === true && !Number.isInteger(value)) return 'invalid';
  return value;
}
