import type { FineTuneReport } from '../../core/finetune';
import { bridge } from '../bridge';
import { formatDuration, formatPercent } from '../format';
import { useStore } from '../store';
import { runJob } from './jobs';
import { prepareDownloads } from './prune';

/**
 * Fine-tunes the last pruned model with the panel's settings, drawing the loss live, then
 * refreshes the downloads so they contain the fine-tuned weights. A cancelled or failed run
 * leaves the pruned model as it was (the worker restores its weights).
 */
export async function fineTuneNow(): Promise<void> {
  const { result, fineTuneSettings } = useStore.getState();
  if (result === undefined) return;
  useStore.getState().clearFineTuneCurves();
  const report = await runJob(
    'Fine-tuning the pruned model',
    ({ signal, onProgress }) =>
      bridge.fineTunePruned(fineTuneSettings, signal, onProgress, (metrics) => {
        if (metrics.kind === 'batch') useStore.getState().addFineTuneBatch(metrics.loss);
        else useStore.getState().addFineTuneEpoch(metrics);
      }),
    { describeDone: describeFineTuned },
  );
  if (report === undefined) return;
  useStore.getState().setFineTuneResult(report, result);
  await prepareDownloads();
}

function describeFineTuned(report: FineTuneReport, seconds: number): string {
  const early = report.stoppedEarly ? ' (stopped early)' : '';
  return `Fine-tuned ${report.epochsRun} epoch${report.epochsRun === 1 ? "" : "s"} on ${report.trainImages} images in ${formatDuration(seconds)}${early}, top-1 ${formatPercent(report.top1After)}.`;
}
