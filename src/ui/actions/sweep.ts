import { PeakPruneError } from '../../core/errors';
import { bridge } from '../bridge';
import { downloadBlob } from '../download';
import { formatDuration } from '../format';
import { useStore } from '../store';
import { serializeSvg, sweepCsvText, sweepJsonText, svgToPng, type PageSweepSettings } from '../sweep-export';
import type { WorkerSweepSettings } from '../../worker/sweep';
import { runJob } from './jobs';

/**
 * Parses a comma-separated list of numbers, each checked by `accept`. Throws `invalid-options`
 * naming the field and the first bad or repeated item.
 */
export function parseNumberList(field: string, text: string, accept: (value: number) => boolean, rule: string): number[] {
  const items = text.split(',').map((item) => item.trim());
  const values: number[] = [];
  for (const item of items) {
    const value = item === '' ? Number.NaN : Number(item);
    if (!Number.isFinite(value) || !accept(value)) {
      throw new PeakPruneError('invalid-options', `${field}: "${item}" is invalid; ${rule}.`);
    }
    if (values.includes(value)) {
      throw new PeakPruneError('invalid-options', `${field}: ${item} is listed twice; list each value once.`);
    }
    values.push(value);
  }
  return values;
}

/** Reads and checks the panel's inputs. Throws `invalid-options` with a sentence for the banner. */
function readSweepSettings(): PageSweepSettings {
  const s = useStore.getState();
  if (s.model === undefined) throw new PeakPruneError('invalid-model', 'No model is loaded; load a model first.');
  const ratios = parseNumberList('Ratios', s.sweepRatiosText, (r) => r >= 0 && r < 1, 'use comma-separated values from 0 up to, but not including, 1');
  const seeds = s.sweepMethods.includes('random')
    ? parseNumberList('Seeds', s.sweepSeedsText, (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32, 'use comma-separated integers from 0')
    : [];
  if (s.sweepMethods.length === 0) throw new PeakPruneError('invalid-options', 'No method is selected; tick at least one method to compare.');
  const epochsText = s.sweepFineTuneEpochsText.trim();
  const epochs = epochsText === '' ? 0 : Number(epochsText);
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new PeakPruneError('invalid-options', `Fine-tune epochs: "${s.sweepFineTuneEpochsText}" is invalid; use a whole number from 0 (0 fine-tunes nothing).`);
  }
  return {
    model: s.model.source,
    methods: s.sweepMethods,
    ratios,
    seeds,
    minChannels: s.planOptions.minChannels,
    recalibrationImages: s.planOptions.recalibrationImages ?? 0,
    calibrationImages: s.samples.calibration?.count ?? 0,
    evaluationImages: s.samples.evaluation?.count ?? 0,
    // The other fine-tuning settings come from the Fine-tune panel, so both train the same way.
    fineTune: epochs === 0 ? null : { ...s.fineTuneSettings, epochs, ratios },
  };
}

/**
 * Runs the method comparison in the worker. Rows appear in the chart as each run finishes, and
 * a Cancel keeps the rows measured so far.
 */
export async function sweepNow(): Promise<void> {
  let settings: PageSweepSettings;
  try {
    settings = readSweepSettings();
  } catch (error) {
    useStore.getState().showError((error as Error).message);
    return;
  }
  useStore.getState().startSweepRows(settings);
  const summary = await runJob(
    'Comparing methods',
    ({ signal, onProgress }) =>
      bridge.sweep(toWorkerSettings(settings), signal, onProgress, (row) => useStore.getState().addSweepRow(row)),
    {
      describeDone: (done, seconds) => `Compared methods: ${done.runs} prunings measured in ${formatDuration(seconds)}.`,
      describeCancelled: () => `Cancelled: the comparison was stopped; the ${useStore.getState().sweepRows.length} prunings measured so far are kept.`,
    },
  );
  useStore.getState().setSweepComplete(summary !== undefined);
}

function toWorkerSettings(settings: PageSweepSettings): WorkerSweepSettings {
  const { fineTune, ...rest } = settings;
  if (fineTune === null) return rest;
  const { ratios, ...fineTuneSettings } = fineTune;
  return { ...rest, fineTune: { settings: fineTuneSettings, ratios } };
}

/** Downloads the rows as sweep.csv. */
export function downloadSweepCsv(): void {
  downloadBlob(new Blob([sweepCsvText(useStore.getState().sweepRows)], { type: 'text/csv' }), 'sweep.csv');
}

/** Downloads the rows and settings as sweep.json. */
export function downloadSweepJson(): void {
  const { sweepRows, sweepSettings, sweepComplete } = useStore.getState();
  if (sweepSettings === undefined) return;
  const text = sweepJsonText(sweepRows, sweepSettings, sweepComplete, new Date());
  downloadBlob(new Blob([text], { type: 'application/json' }), 'sweep.json');
}

/** Downloads the chart as sweep.svg. */
export function downloadSweepSvg(svg: SVGSVGElement): void {
  downloadBlob(new Blob([serializeSvg(svg)], { type: 'image/svg+xml' }), 'sweep.svg');
}

/** Downloads the chart as sweep.png, drawn at twice its on-screen size. */
export async function downloadSweepPng(svg: SVGSVGElement): Promise<void> {
  try {
    const png = await svgToPng(serializeSvg(svg), svg.width.baseVal.value, svg.height.baseVal.value);
    downloadBlob(png, 'sweep.png');
  } catch (error) {
    useStore.getState().showError(`Saving the chart as PNG failed (${(error as Error).message}); download the SVG instead.`);
  }
}
