import { DEFAULT_DPC_OPTIONS } from '../../core/types';
import { bridge } from '../bridge';
import { formatDuration } from '../format';
import { useStore } from '../store';
import { runJob } from './jobs';

/**
 * Clusters and scores every prunable layer with the default DPC options. A cancelled or
 * failed analysis leaves the previous one on screen.
 */
export async function analyzeLoadedModel(): Promise<void> {
  const dpc = DEFAULT_DPC_OPTIONS;
  const layers = await runJob('Analysing the model', ({ signal, onProgress }) => bridge.analyze(dpc, signal, onProgress), {
    describeDone: (result, seconds) => `Analysed ${result.length} layers in ${formatDuration(seconds)}.`,
  });
  if (layers !== undefined) useStore.getState().setLayers(layers, dpc);
}
