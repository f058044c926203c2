import { strToU8, zip, type AsyncZippable } from 'fflate';

import { sweepCsvText, sweepJsonText, serializeSvg } from './sweep-export';
import { buildPlanFile } from './actions/plan-file';
import { describeError } from './messages';
import { useStore } from './store';

/** Saves a Blob under a file name through a temporary link, which is what browsers download from. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers, so wait a little.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One file of the export zip. */
export interface ExportPart {
  path: string;
  data: Uint8Array;
  /** False for data that deflate hardly shrinks (float32 weights), which is stored as is. */
  compress: boolean;
}

/**
 * Packs files into a zip with fflate's asynchronous zip, which deflates in Web Workers, so the
 * page stays responsive while a large model is packed.
 */
export function zipParts(parts: readonly ExportPart[]): Promise<Blob> {
  const files: AsyncZippable = {};
  for (const part of parts) files[part.path] = [part.data, { level: part.compress ? 6 : 0 }];
  return new Promise((resolve, reject) => {
    zip(files, {}, (error, data) => {
      if (error) reject(error);
      else resolve(new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    });
  });
}

/**
 * Collects everything worth keeping from the last pruning: the pruned model (model.json and its
 * weights under model/), report.json, plan.json, the sweep's CSV and JSON when a sweep has
 * rows, and every chart on the page as SVG under charts/.
 */
export async function collectExportParts(): Promise<ExportPart[]> {
  const state = useStore.getState();
  const downloads = state.downloads;
  if (downloads === undefined) return [];
  const parts: ExportPart[] = [
    { path: 'model/model.json', data: new Uint8Array(await downloads.modelJson.arrayBuffer()), compress: true },
    { path: `model/${downloads.weightsFileName}`, data: new Uint8Array(await downloads.weights.arrayBuffer()), compress: false },
    { path: 'report.json', data: new Uint8Array(await downloads.report.arrayBuffer()), compress: true },
  ];
  const result = state.result;
  if (state.model !== undefined && result !== undefined) {
    const plan = buildPlanFile(state.model, result.plan, state.layerDpc, state.overrides, new Date());
    parts.push({ path: 'plan.json', data: strToU8(`${JSON.stringify(plan, null, 2)}\n`), compress: true });
  }
  if (state.sweepRows.length > 0) {
    parts.push({ path: 'sweep/sweep.csv', data: strToU8(sweepCsvText(state.sweepRows)), compress: true });
    if (state.sweepSettings !== undefined) {
      parts.push({ path: 'sweep/sweep.json', data: strToU8(sweepJsonText(state.sweepRows, state.sweepSettings, state.sweepComplete, new Date())), compress: true });
    }
  }
  parts.push(...chartParts());
  return parts;
}

/** Serializes every chart on the page (an <svg class="peakprune-chart NAME">) to charts/NAME.svg, numbered when a name repeats. */
function chartParts(): ExportPart[] {
  const seen = new Map<string, number>();
  return Array.from(document.querySelectorAll<SVGSVGElement>('svg.peakprune-chart'), (svg) => {
    const name = [...svg.classList].find((entry) => entry !== 'peakprune-chart') ?? 'chart';
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const file = count === 1 ? name : `${name}-${count}`;
    return { path: `charts/${file}.svg`, data: strToU8(serializeSvg(svg)), compress: true };
  });
}

/** Builds and downloads peakprune-export.zip; a failure shows in the error banner. */
export async function downloadExportZip(): Promise<void> {
  try {
    const parts = await collectExportParts();
    if (parts.length === 0) return;
    downloadBlob(await zipParts(parts), 'peakprune-export.zip');
  } catch (error) {
    useStore.getState().showError(describeError(error));
  }
}
