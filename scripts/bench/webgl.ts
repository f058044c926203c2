// The benchmark suite in headless Chromium on tfjs's WebGL backend. Run `npm run bench:webgl`.
// Vite bundles webgl-page.ts into a page of its own and serves public/ with it, so the shipped
// model and images load as in the app. The page opens in Debian Chromium with the browser tests'
// flags and runs each model's steps. This script prints the same tables as `npm run bench` and
// writes out/bench-webgl.json. The same environment variables choose models and sizes; the
// defaults suit a software GPU.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { openWorkbench, ROOT } from '../../test/browser/harness';
import { positiveInteger, selectedModels } from './env';
import { printModel, type ModelFigures } from './report';
import { serveBenchPage } from './serve-page';
import type { BenchModelName, ModelSettings } from './suite';

function settingsFor(name: BenchModelName): ModelSettings {
  if (name === 'vgg16') {
    // A batch of 32 VGG-16 images takes about a minute on SwiftShader, so latency is timed at batch 1.
    return { apozImages: positiveInteger('BENCH_VGG16_APOZ_IMAGES', 32), distanceRuns: 3, batchSizes: [1], runs: positiveInteger('BENCH_RUNS', 5) };
  }
  return { apozImages: positiveInteger('BENCH_APOZ_IMAGES', 1000), distanceRuns: 5, batchSizes: [1, 32], runs: positiveInteger('BENCH_RUNS', 15) };
}

async function main(): Promise<void> {
  const html = `<!doctype html><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,"><script type="module" src="${join(ROOT, 'scripts/bench/webgl-page.ts')}"></script>\n`;
  const server = await serveBenchPage({ 'index.html': html }, join(ROOT, 'public'));
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
