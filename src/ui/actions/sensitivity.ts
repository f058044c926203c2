import { PeakPruneError } from '../../core/errors';
import { formatSensitivityCsv, proposeLayerRatios } from '../../core/sensitivity';
import type { SensitivityRow } from '../../core/sensitivity';
import { bridge } from '../bridge';
import { downloadBlob } from '../download';
import { formatDuration } from '../format';
import { useStore } from '../store';
import type { SensitivityRunSettings } from '../store/sensitivity';
import { serializeSvg, svgToPng } from '../sweep-export';
import type { WorkerSensitivitySettings } from '../../worker/sensitivity';
import { runJob } from './jobs';
import { parseNumberList } from './sweep';

/** Label of the sensitivity job; the panel's Cancel button checks it. */
export const SENSITIVITY_JOB_LABEL = 'Measuring layer sensitivity';

/**
 * Reads the accuracy-drop limit field as a fraction of top-1 (the field is in percentage points).
 * Throws `invalid-options` for text that is not a number from 0 to 100.
 */
export function readMaxDrop(text: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 100) {
    throw new PeakPruneError('invalid-options', `Accuracy-drop limit: "${text}" is invalid; use percentage points from 0 to 100, such as 2.`);
  }
  return value / 100;
}

/**
 * Returns the proposed per-layer ratios of a finished analysis, or undefined while it runs,
 * after a Cancel, or when the limit field is invalid.
 */
export function proposedRatios(
  rows: readonly SensitivityRow[],
  baseline: number | undefined,
  run: SensitivityRunSettings | undefined,
  complete: boolean,
  maxDropText: string,
): Record<string, number> | undefined {
  if (!complete || baseline === undefined || run === undefined) return undefined;
  let maxDrop: number;
  try {
    maxDrop = readMaxDrop(maxDropText);
  } catch {
    return undefined;
  }
  return proposeLayerRatios(rows, baseline, maxDrop, run.ratios);
}

function readSettings(): { worker: WorkerSensitivitySettings; run: SensitivityRunSettings } {
  const s = useStore.getState();
  if (s.model === undefined) throw new PeakPruneError('invalid-model', 'No model is loaded; load a model first.');
  if (s.layers.length === 0) throw new PeakPruneError('invalid-options', 'The model has not been analysed yet; run the analysis first.');
  const ratios = parseNumberList('Ratios', s.sensitivityRatiosText, (r) => r > 0 && r < 1, 'use comma-separated values above 0 and below 1');
  readMaxDrop(s.sensitivityMaxDropText);
  const method = s.sensitivityMethod;
  return {
    worker: { method, ratios, minChannels: s.planOptions.minChannels, seed: s.planOptions.seed ?? 0, recalibrationImages: s.planOptions.recalibrationImages ?? 0 },
    run: { method, ratios, layers: s.layers.map((layer) => layer.name) },
  };
}

/** Runs the analysis in the worker; rows appear in the chart as each point finishes, and Cancel keeps them. */
export async function measureSensitivityNow(): Promise<void> {
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings();
  } catch (error) {
    useStore.getState().showError((error as Error).message);
    return;
  }
  useStore.getState().startSensitivityRows(settings.run);
  const summary = await runJob(
    SENSITIVITY_JOB_LABEL,
    ({ signal, onProgress }) =>
      bridge.sensitivity(settings.worker, signal, onProgress, (event) => {
        if (event.kind === 'baseline') useStore.getState().setSensitivityBaseline(event.top1);
        else useStore.getState().addSensitivityRow(event.row);
      }),
    {
      describeDone: (done, seconds) => `Measured layer sensitivity: ${done.rows} single-layer prunings in ${formatDuration(seconds)}.`,
      describeCancelled: () =>
        `Cancelled: the sensitivity analysis was stopped; the ${useStore.getState().sensitivityRows.length} points measured so far are kept.`,
    },
  );
  useStore.getState().setSensitivityComplete(summary !== undefined);
}

/**
 * Loads the proposed ratios into the pruning plan as per-layer ratios and selects the method the
 * analysis used, because the proposal holds for that method only.
 */
export function applyProposedRatios(): void {
  const s = useStore.getState();
  const proposal = proposedRatios(s.sensitivityRows, s.sensitivityBaseline, s.sensitivityRun, s.sensitivityComplete, s.sensitivityMaxDropText);
  if (proposal === undefined || s.sensitivityRun === undefined) return;
  const current = s.layers.map((layer) => layer.name);
  if (current.join('\n') !== s.sensitivityRun.layers.join('\n')) {
    s.showError('The proposed ratios belong to another model or analysis; run the sensitivity analysis again.');
    return;
  }
  s.setPlanOptions({ method: s.sensitivityRun.method });
  useStore.getState().setLayerRatios(proposal);
}

/** Downloads the rows as sensitivity.csv, in the columns of `peakprune sensitivity`. */
export function downloadSensitivityCsv(): void {
  downloadBlob(new Blob([formatSensitivityCsv(useStore.getState().sensitivityRows)], { type: 'text/csv' }), 'sensitivity.csv');
}

/** Downloads the chart as sensitivity.svg. */
export function downloadSensitivitySvg(svg: SVGSVGElement): void {
  downloadBlob(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }), 'sensitivity.svg');
}

/** Downloads the chart as sensitivity.png, drawn at twice its on-screen size. */
export async function downloadSensitivityPng(svg: SVGSVGElement): Promise<void> {
  try {
    const png = await svgToPng(serializeSvg(svg), svg.width.baseVal.value, svg.height.baseVal.value);
    downloadBlob(png, 'sensitivity.png');
  } catch (error) {
    useStore.getState().showError(`Saving the chart as PNG failed (${(error as Error).message}); download the SVG instead.`);
  }
}
