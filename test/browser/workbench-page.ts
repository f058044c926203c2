// Readers for the workbench's text: layer rows, cluster counts and the result card. Each throws
// with the text it could not parse, so a changed wording shows up as a plain failure.
import type { Page } from 'playwright-core';

/** Maximum time the tests wait for the analysis of a few dozen images, shader compilation included. */
export const ANALYSIS_TIMEOUT_MS = 180_000;
/** Maximum time the tests wait for a prune with its evaluation of a few hundred images. */
export const PRUNE_TIMEOUT_MS = 180_000;
/** Status line after a finished analysis, e.g. "Analysed 6 layers in 7 s." */
export const ANALYSED = /^Analysed \d+ layers in /;
/** Status line after a finished prune, e.g. "Pruned 112 of 224 filters in 6 s, top-1 4.7 %." */
export const PRUNED = /^Pruned \d+ of \d+ filters in /;

export interface LayerRowFacts {
  text: string;
  filters: number;
  clusters: number;
  /** Filters the current plan removes, from the row's "−N". */
  removed: number;
}

/** Parses a layer row such as "conv5 · 64 filters · 2 clusters · −19". */
export async function readLayerRow(page: Page, name: string): Promise<LayerRowFacts> {
  const text = ((await page.getByTestId(`layer-${name}`).textContent()) ?? '').trim();
  const match = /^(\S+) · (\d+) filters? · (\d+) clusters? · [−-](\d+)$/.exec(text);
  if (match === null || match[1] !== name) {
    throw new Error(`Layer row of ${name} reads "${text}", not "${name} · N filters · N clusters · −N".`);
  }
  return { text, filters: Number(match[2]), clusters: Number(match[3]), removed: Number(match[4]) };
}

/** Reads the selected layer's cluster count from its cluster controls. */
export async function readClusterCount(page: Page): Promise<number> {
  const text = ((await page.getByTestId('cluster-count').textContent()) ?? '').trim();
  if (!/^\d+$/.test(text)) throw new Error(`cluster-count reads "${text}", not a whole number.`);
  return Number(text);
}

/** Parses a figure the result card prints: "147.8 k", "1.90 M", "9,876", "577.5 KB" or "92.2 %". */
export function parseFigure(text: string): number {
  const match = /^([\d,]+(?:\.\d+)?)\s*(k|M|G|B|KB|MB|%)?$/.exec(text.trim());
  if (match === null) throw new Error(`"${text}" is not a figure of the result card.`);
  const value = Number(match[1].replace(/,/g, ''));
  const scale: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, B: 1, KB: 1024, MB: 1024 * 1024, '%': 0.01 };
  return value * (match[2] === undefined ? 1 : scale[match[2]]);
}

export interface ResultRow {
  beforeText: string;
  afterText: string;
  before: number;
  after: number;
}

/** Reads one row of the result card (result-params, result-flops, result-size or result-top1). */
export async function readResultRow(page: Page, testId: string): Promise<ResultRow> {
  const cells = await page.getByTestId(testId).locator('td').allTextContents();
  if (cells.length < 2) throw new Error(`Result row ${testId} has ${cells.length} cells, expected before, after and a ratio.`);
  const [beforeText, afterText] = cells;
  return { beforeText, afterText, before: parseFigure(beforeText), after: parseFigure(afterText) };
}

/** Types a ratio into the global ratio field and waits until the plan summary shows the new plan. */
export async function setGlobalRatio(page: Page, ratio: number, expectedRemoved: number, expectedFilters: number): Promise<void> {
  await page.getByTestId('ratio-input').fill(String(ratio));
  await page.getByTestId('ratio-input').blur();
  const summary = page.getByTestId('plan-summary');
  try {
    await summary.filter({ hasText: `removes ${expectedRemoved} of ${expectedFilters} filters` }).waitFor({ timeout: 10_000 });
  } catch {
    throw new Error(`After setting the ratio to ${ratio} the plan summary reads "${await summary.textContent()}", expected ${expectedRemoved} of ${expectedFilters} filters removed.`);
  }
}

/** Waits until the result's files are prepared, which happens after the status line reads "Pruned". */
export async function waitForDownloadsReady(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="download-model"]');
      return button !== null && !button.disabled;
    },
    undefined,
    { timeout: timeoutMs },
  );
}

/** Expected removals of a plan at `ratio` with no hand changes: round(ratio · n) per layer, at least one filter kept. */
export function expectedRemovals(filters: readonly number[], ratio: number, minChannels = 1): number {
  return filters.reduce((sum, n) => sum + Math.min(Math.round(ratio * n), n - minChannels), 0);
}
