// The benchmark suite in headless Chromium on tfjs's WebGL backend. Run `npm run bench:webgl`.
// Vite bundles webgl-page.ts into a page of its own and serves public/ with it, so the shipped
// model and images load as in the app. The page opens in Debian Chromium with the browser tests'
// flags and runs each model's steps. This script prints the same tables as `npm run bench` and
// writes out/bench-webgl.json. The same environment variables choose models and sizes; the
// defaults suit a software GPU.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { build, preview } from 'vite';

import { openWorkbench, ROOT } from '../../test/browser/harness';
import { printModel, type ModelFigures } from './report';
import type { BenchModelName, ModelSettings } from './suite';

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} is "${text}"; set it to a positive whole number.`);
  return value;
}

function settingsFor(name: BenchModelName): ModelSettings {
  if (name === 'vgg16') {
    return { apozImages: positiveInteger('BENCH_VGG16_APOZ_IMAGES', 64), distanceRuns: 3, batchSizes: [1, 32], runs: positiveInteger('BENCH_RUNS', 5) };
  }
  return { apozImages: positiveInteger('BENCH_APOZ_IMAGES', 1000), distanceRuns: 5, batchSizes: [1, 32], runs: positiveInteger('BENCH_RUNS', 15) };
}

function selectedModels(): BenchModelName[] {
  const names = (process.env.BENCH_MODELS ?? 'shipped,vgg16').split(',').map((name) => name.trim());
  for (const name of names) {
    if (name !== 'shipped' && name !== 'vgg16') throw new Error(`BENCH_MODELS contains "${name}"; use shipped, vgg16 or both, comma-separated.`);
  }
  return names as BenchModelName[];
}

/** Builds the bench page into a temporary folder, serves it and returns its URL and a cleanup function. */
async function servePage(): Promise<{ url: string; close: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'peakprune-bench-webgl-'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'index.html'), `<!doctype html><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,"><script type="module" src="${join(ROOT, 'scripts/bench/webgl-page.ts')}"></script>\n`);
  const config = {
    root,
    configFile: false as const,
    logLevel: 'warn' as const,
    publicDir: join(ROOT, 'public'),
    build: { outDir: join(root, 'dist'), chunkSizeWarningLimit: 4096, target: 'es2022' },
  };
  await build(config);
  const server = await preview({ ...config, preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview of the bench page returned no local URL.');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const server = await servePage();
  // The harness launches Chromium with the WebGL flags; the app it opens is left at once.
  const bench = await openWorkbench('?calibration=1&evaluation=1');
  try {
    const { page } = bench;
    await page.goto(server.url);
    await page.waitForFunction(() => 'runBench' in window, undefined, { timeout: 60_000 });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    console.log(`Chromium: ${userAgent}`);
    const results: (ModelFigures & { leakedTensors: number })[] = [];
    for (const name of selectedModels()) {
      const settings = settingsFor(name);
      const figures = await page.evaluate(
        ({ name, settings }) => (window as unknown as { runBench: (n: string, s: unknown) => Promise<ModelFigures & { leakedTensors: number }> }).runBench(name, settings),
        { name, settings },
      );
      printModel(figures);
      if (figures.leakedTensors !== 0) console.warn(`${figures.leakedTensors} tensors were left allocated after ${name}.`);
      results.push(figures);
    }
    const report = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`, userAgent, backend: 'webgl', models: results, errors: bench.errors };
    mkdirSync(join(ROOT, 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'out/bench-webgl.json'), JSON.stringify(report, null, 2));
    console.log('\nFigures written to out/bench-webgl.json');
  } finally {
    await bench.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
