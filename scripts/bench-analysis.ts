// Times the whole analysis in headless Chromium on the built app: DPC for every prunable layer
// plus APoZ over the calibration images, inside the Web Worker. Run `npm run bench:analysis`.
// Prints a table and writes the figures to out/bench-analysis.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { openWorkbench, ROOT } from '../test/browser/harness';

const CALIBRATION = Number(process.env.BENCH_CALIBRATION ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);

async function main(): Promise<void> {
  const bench = await openWorkbench(`?calibration=${CALIBRATION}&evaluation=10`);
  const { page } = bench;
  try {
    const openedAt = Date.now();
    await waitForAnalysis(page, 1_800_000);
    const firstSeconds = (Date.now() - openedAt) / 1000;
    const backend = await page.getByTestId('backend').textContent();

    const repeats: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = Date.now();
      await page.getByTestId('analyze-button').click();
      await page.getByTestId('cancel-button').waitFor({ state: 'visible', timeout: 60_000 });
      await waitForAnalysis(page, 1_800_000);
      repeats.push((Date.now() - started) / 1000);
    }

    const figures = {
      date: new Date().toISOString(),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      backend,
      calibrationImages: CALIBRATION,
      openToAnalysedSeconds: firstSeconds,
      analysisSeconds: repeats,
      errors: bench.errors,
    };
    console.table({
      'open → analysed (s), includes model load and shader compile': firstSeconds.toFixed(1),
      ...Object.fromEntries(repeats.map((s, i) => [`analysis run ${i + 1} (s)`, s.toFixed(1)])),
    });
    console.log(`backend: ${backend}; calibration images: ${CALIBRATION}`);
    mkdirSync(join(ROOT, 'out'), { recursive: true });
    writeFileSync(join(ROOT, 'out/bench-analysis.json'), JSON.stringify(figures, null, 2));
  } finally {
    await bench.close();
  }
}

async function waitForAnalysis(page: import('playwright-core').Page, timeout: number): Promise<void> {
  await page.getByTestId('status-text').filter({ hasText: /^Analysed \d+ layers/ }).waitFor({ timeout });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
