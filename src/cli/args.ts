// Command-line parsing on top of node:util parseArgs (strict), turning every mistake into one
// `invalid-options` sentence that names the option and points to --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { PeakPruneError } from '../core/errors';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const satisfies OptionsConfig;

/**
 * Parses `argv` for `command` against `options`; positional arguments and unknown options are
 * rejected. Throws `invalid-options` with one line naming the offending argument.
 */
export function parseCommandArgs<T extends OptionsConfig>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const problem = describeParseError(error as NodeJS.ErrnoException);
    throw new PeakPruneError('invalid-options', `${problem} Run "peakprune ${command} --help" for the options.`);
  }
}

function describeParseError(error: NodeJS.ErrnoException): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${quoted}.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument "${quoted}"; every value belongs to an option such as --model PATH.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return describeValueError(quoted.split(' ')[0], error.message);
    default:
      return `Invalid arguments (${error.message}).`;
  }
}

// Node 20 words these errors as "Option '--ratio <value>' argument missing", "Option '--help'
// does not take an argument" and "Option '--ratio' argument is ambiguous" (a value starting with -).
function describeValueError(option: string, message: string): string {
  if (/does not take/.test(message)) return `Option ${option} does not take a value.`;
  if (/ambiguous/.test(message)) return `Option ${option} needs a value; write ${option}=VALUE for a value that starts with a dash.`;
  return `Option ${option} needs a value.`;
}

export interface NumberRange {
  min?: number;
  max?: number;
  /** Whether `min` itself is allowed; default true. */
  minInclusive?: boolean;
  /** Whether `max` itself is allowed; default true. */
  maxInclusive?: boolean;
  integer?: boolean;
}

/**
 * Parses the value of `--name`, or returns `fallback` when the option is absent.
 * Throws `invalid-options` naming the option and the allowed range when the value is not a
 * number in `range`.
 */
export function parseNumberOption(name: string, raw: string | undefined, fallback: number, range: NumberRange = {}): number {
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const { min, max, minInclusive = true, maxInclusive = true, integer = false } = range;
  const tooLow = min !== undefined && (minInclusive ? value < min : value <= min);
  const tooHigh = max !== undefined && (maxInclusive ? value > max : value >= max);
  if (!Number.isFinite(value) || tooLow || tooHigh || (integer && !Number.isInteger(value))) {
    throw new PeakPruneError('invalid-options', `Option --${name} has the invalid value "${raw}"; use ${describeRange(range)}.`);
  }
  return value;
}

/** Describes a range as, for example, "a number with 0 <= value < 1" or "an integer >= 1". */
function describeRange({ min, max, minInclusive = true, maxInclusive = true, integer = false }: NumberRange): string {
  const kind = integer ? 'an integer' : 'a number';
  const low = minInclusive ? '<=' : '<';
  const high = maxInclusive ? '<=' : '<';
  if (min !== undefined && max !== undefined) return `${kind} with ${min} ${low} value ${high} ${max}`;
  if (min !== undefined) return `${kind} ${minInclusive ? '>=' : '>'} ${min}`;
  if (max !== undefined) return `${kind} ${high} ${max}`;
  return kind;
}

/** Parses `--bn-images`: 0 turns BatchNormalization re-estimation off, otherwise at least 2 images. */
export function parseRecalibrationImages(raw: string | undefined, fallback: number): number {
  const images = parseNumberOption('bn-images', raw, fallback, { min: 0, integer: true });
  if (images === 1) {
    throw new PeakPruneError('invalid-options', 'Option --bn-images has the invalid value "1"; use 0 to turn it off or an integer >= 2.');
  }
  return images;
}

/** Parses the value of `--name` as one of `choices`, or returns `fallback` when absent. */
export function parseChoiceOption<T extends string>(name: string, raw: string | undefined, fallback: T, choices: readonly T[]): T {
  if (raw === undefined) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new PeakPruneError('invalid-options', `Option --${name} has the unknown value "${raw}"; use ${choices.join(' or ')}.`);
}
