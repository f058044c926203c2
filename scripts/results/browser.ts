// The fine-tuned part of the results: builds the app into its own folder, replaces its sample
// sprites with the command line's image subsets, and runs the page's "Compare methods" sweep with
// fine-tuning in headless Chromium, where tfjs trains on WebGL (SwiftShader).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import type { SweepRow } from '../../src/core/sweep';
import type { PruneMethod } from '../../src/core/types';
import { writeLimitedSprites } from './sprites';

/** Settings of the browser stage. */
export interface BrowserStageOptions {
  root: string;
  /** Folder the app is built into; replaced. */
  distDir: string;
  methods: readonly PruneMethod[];
  ratios: readonly number[];
  seeds: readonly number[];
  epochs: number;
  /** Evaluation images, picked as `peakprune sweep --limit` picks them. */
  limit: number;
  /** Calibration images (for BatchNormalization and fine-tuning), picked the same way. */
  calibrationLimit: number;
  splitSeed: number;
  log: (line: string) => void;
}

export interface BrowserStageResult {
  rows: SweepRow[];
  /** The backend the page's worker reported, for example "WebGL in a worker". */
  backend: string;
  /** Wall-clock seconds of the page's sweep alone, from its status line. */
  sweepSeconds: number;
  /** Wall-clock seconds of the whole stage: build, start, analysis and sweep. */
  seconds: number;
  /** The page's own sweep.json settings, with the fine-tuning settings it used. */
  settings: unknown;
}

const ANALYSED = /^Analysed \d+ layers in /;
const SWEEP_DONE = /^Compared methods: (\d+) prunings measured in (.+)\.$/;
const ANALYSIS_TIMEOUT_MS = 20 * 60_000;
const SWEEP_TIMEOUT_MS = 4 * 60 * 60_000;
const POLL_MS = 30_000;

/** Builds, serves and drives the app; returns the rows of its sweep.json. */
export async function runBrowserStage(options: BrowserStageOptions): Promise<BrowserStageResult> {
  const started = Date.now();
  buildApp(options.root, options.distDir, options.log);
  const limits = { calibration: options.calibrationLimit, evaluation: options.limit };
  await writeLimitedSprites(options.root, join(options.distDir, 'samples'), limits, options.splitSeed);

  // The harness reads PEAKPRUNE_DIST when it is first imported.
  process.env.PEAKPRUNE_DIST = options.distDir;
  const harness = await import('../../test/browser/harness');
  const bench = await harness.openWorkbench();
  try {
    const page = bench.page;
    options.log('browser: analysing the model in the page');
    await harness.waitForStatus(page, ANALYSED, ANALYSIS_TIMEOUT_MS, bench.errors);
    const backend = (await page.getByTestId('backend').textContent()) ?? '';
    options.log(`browser: backend ${backend}`);
    if (!/webgl/i.test(backend)) throw new Error(`The page runs on "${backend}", not WebGL; check the Chromium flags in test/browser/harness.ts.`);

    await configureSweep(page, options);
    await page.getByTestId('sweep-run').click();
    const status = await waitForSweep(page, bench.errors, harness.describePage, options.log);
    const downloads = mkdtempSync(join(tmpdir(), 'peakprune-results-'));
    try {
      const files = await harness.saveDownloads(page, 1, () => page.getByTestId('sweep-download-json').click(), downloads);
      const json = JSON.parse(readFileSync(files.get('sweep.json') ?? '', 'utf8')) as { rows: SweepRow[]; settings: unknown; complete: boolean };
      if (!json.complete) throw new Error('The page reports its sweep as incomplete.');
      return { rows: json.rows, backend, sweepSeconds: parseSeconds(status), seconds: (Date.now() - started) / 1000, settings: json.settings };
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  } finally {
    await bench.close();
  }
}

function buildApp(root: string, distDir: string, log: (line: string) => void): void {
  log(`browser: building the app into ${distDir}`);
  const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`vite build into ${distDir} failed with exit code ${result.status}.`);
}

async function configureSweep(page: Page, options: BrowserStageOptions): Promise<void> {
  for (const box of await page.locator('[data-testid^="sweep-method-"]').all()) {
    const method = ((await box.getAttribute('data-testid')) ?? '').replace('sweep-method-', '');
    await box.setChecked(options.methods.includes(method as PruneMethod));
  }
  await page.getByTestId('sweep-ratios').fill(options.ratios.join(','));
  await page.getByTestId('sweep-seeds').fill(options.seeds.join(','));
  await page.getByTestId('sweep-finetune-epochs').fill(String(options.epochs));
}

/** Waits for the sweep's final status line, logging the running one every POLL_MS. */
async function waitForSweep(
  page: Page,
  errors: readonly string[],
  describePage: (page: Page, errors: readonly string[]) => Promise<string>,
  log: (line: string) => void,
): Promise<string> {
  const deadline = Date.now() + SWEEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = ((await page.getByTestId('status-text').first().textContent()) ?? '').trim();
    if (SWEEP_DONE.test(status)) return status;
    if ((await page.getByTestId('error-banner').count()) > 0 || /failed|Cancelled/.test(status)) {
      throw new Error(`The page's sweep stopped; ${await describePage(page, errors)}`);
    }
    log(`browser: ${status}`);
    await page.waitForTimeout(POLL_MS);
  }
  throw new Error(`The page's sweep did not finish within ${SWEEP_TIMEOUT_MS / 60_000} min; ${await describePage(page, errors)}`);
}

/** Reads "1 h 2 min", "12 min 5 s" or "40 s" from the final status line as seconds. */
function parseSeconds(status: string): number {
  const text = SWEEP_DONE.exec(status)?.[2] ?? '';
  const units: Record<string, number> = { h: 3600, min: 60, s: 1 };
  let seconds = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?) ?(h|min|s)\b/g)) seconds += Number(value) * units[unit];
  return seconds;
}
