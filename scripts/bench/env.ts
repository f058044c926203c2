// Environment variables shared by the Node and WebGL runs of the benchmark suite.
import type { BenchModelName } from './suite';

/** Reads a positive whole number from the environment variable `name`, or returns `fallback`. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} is "${text}"; set it to a positive whole number.`);
  return value;
}

/** Reads BENCH_MODELS: the models to run, comma-separated (default both). */
export function selectedModels(): BenchModelName[] {
  const names = (process.env.BENCH_MODELS ?? 'shipped,vgg16').split(',').map((name) => name.trim());
  for (const name of names) {
    if (name !== 'shipped' && name !== 'vgg16') throw new Error(`BENCH_MODELS contains "${name}"; use shipped, vgg16 or both, comma-separated.`);
  }
  return names as BenchModelName[];
}
