import { bridge } from '../bridge';
import { downloadBlob } from '../download';
import { formatDuration, formatPercent } from '../format';
import { describeError } from '../messages';
import { useStore } from '../store';
import { planKey, planTotals } from '../store/plan';
import type { PruneOutcome } from '../../worker/types';
import { runJob } from './jobs';

/**
 * Prunes with the current plan options and hand overrides, evaluates the smaller model, then
 * prepares its files for download. A cancelled or failed run keeps the previous result.
 */
export async function pruneNow(): Promise<void> {
  const { planOptions, overrides, plan } = useStore.getState();
  if (plan === undefined) return;
  const outcome = await runJob('Pruning the model', ({ signal, onProgress }) => bridge.prune(planOptions, overrides, signal, onProgress), {
    describeDone: describePruned,
  });
  if (outcome === undefined) return;
  useStore.getState().setResult(outcome, planKey(outcome.plan));
  await prepareDownloads();
}

function describePruned(outcome: PruneOutcome, seconds: number): string {
  const { removed, filters } = planTotals(outcome.plan);
  const top1 = outcome.after.top1 === null ? '' : `, top-1 ${formatPercent(outcome.after.top1)}`;
  return `Pruned ${removed} of ${filters} filters in ${formatDuration(seconds)}${top1}.`;
}

/** Exports the current pruned model from the worker and prepares its downloads. */
export async function prepareDownloads(): Promise<void> {
  try {
    const files = await bridge.exportPruned();
    useStore.getState().setDownloads({
      modelJson: new Blob([files.modelJson], { type: 'application/json' }),
      weights: files.weights,
      weightsFileName: files.weightsFileName,
      report: new Blob([files.report], { type: 'application/json' }),
      zip: files.zip,
    });
  } catch (error) {
    useStore.getState().showError(describeError(error));
  }
}

/** Downloads model.json and the weights file as two files with the names model.json expects. */
export function downloadModel(): void {
  const downloads = useStore.getState().downloads;
  if (downloads === undefined) return;
  downloadBlob(downloads.modelJson, 'model.json');
  downloadBlob(downloads.weights, downloads.weightsFileName);
}

export function downloadZip(): void {
  const downloads = useStore.getState().downloads;
  if (downloads !== undefined) downloadBlob(downloads.zip, 'model.zip');
}

export function downloadReport(): void {
  const downloads = useStore.getState().downloads;
  if (downloads !== undefined) downloadBlob(downloads.report, 'report.json');
}
