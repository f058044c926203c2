import { useRef } from 'react';

import type { SensitivityRow } from '../../core/sensitivity';
import type { PruneMethod } from '../../core/types';
import { PRUNE_METHODS } from '../../core/criteria';
import { cancelJob } from '../actions/jobs';
import {
  applyProposedRatios,
  downloadSensitivityCsv,
  downloadSensitivityPng,
  downloadSensitivitySvg,
  measureSensitivityNow,
  proposedRatios,
  readMaxDrop,
  SENSITIVITY_JOB_LABEL,
} from '../actions/sensitivity';
import { SensitivityChart } from '../charts/SensitivityChart';
import { formatPercent } from '../format';
import { useStore } from '../store';

/**
 * Per-layer sensitivity: prunes one analysed layer at a time at each ratio, every other layer
 * intact, charts top-1 per layer, proposes per-layer ratios within an accuracy-drop limit and
 * loads them into the pruning plan.
 */
export function SensitivityPanel() {
  const layers = useStore((s) => s.layers);
  const job = useStore((s) => s.job);
  const method = useStore((s) => s.sensitivityMethod);
  const ratiosText = useStore((s) => s.sensitivityRatiosText);
  const maxDropText = useStore((s) => s.sensitivityMaxDropText);
  const rows = useStore((s) => s.sensitivityRows);
  const baseline = useStore((s) => s.sensitivityBaseline);
  const run = useStore((s) => s.sensitivityRun);
  const complete = useStore((s) => s.sensitivityComplete);
  const svgRef = useRef<SVGSVGElement>(null);
  if (layers.length === 0) return null;

  const busy = job !== undefined;
  const running = busy && job.label === SENSITIVITY_JOB_LABEL;
  const store = useStore.getState();
  const maxDrop = safeMaxDrop(maxDropText);
  const proposal = proposedRatios(rows, baseline, run, complete, maxDropText);
  const layerNames = run?.layers ?? layers.map((layer) => layer.name);
  return (
    <section className="panel sensitivity-panel" aria-labelledby="sensitivity-heading" data-testid="sensitivity-panel">
      <h2 id="sensitivity-heading">Layer sensitivity</h2>
      <p className="table-note">
        Prunes one layer at a time at each ratio with every other layer intact, re-estimates BatchNormalization as Prune does, and
        measures top-1 on the evaluation images. Nothing is fine-tuned. For each layer the proposal is the largest tested ratio whose
        drop from the unpruned top-1 stays within the limit. Layers pruned together usually lose more than their single-layer drops
        add up to, so prune with the proposal and check the result.
      </p>
      <div className="sensitivity-fields">
        <label>
          Method
          <select value={method} disabled={busy} data-testid="sensitivity-method" onChange={(event) => store.setSensitivityMethod(event.currentTarget.value as PruneMethod)}>
            {PRUNE_METHODS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Ratios
          <input type="text" value={ratiosText} disabled={busy} data-testid="sensitivity-ratios" onChange={(event) => store.setSensitivityRatiosText(event.currentTarget.value)} />
        </label>
        <label>
          Accuracy-drop limit (percentage points)
          <input type="text" inputMode="decimal" value={maxDropText} data-testid="sensitivity-max-drop" onChange={(event) => store.setSensitivityMaxDropText(event.currentTarget.value)} />
        </label>
        <button type="button" disabled={busy} data-testid="sensitivity-run" onClick={() => void measureSensitivityNow()}>
          Run
        </button>
        <button type="button" disabled={!running} data-testid="sensitivity-cancel" onClick={cancelJob}>
          Cancel
        </button>
      </div>
      {maxDrop === undefined && (
        <p className="field-error" role="alert" data-testid="sensitivity-max-drop-error">
          The accuracy-drop limit must be a number of percentage points from 0 to 100.
        </p>
      )}
      <div className="sensitivity-body">
        <SensitivityChart rows={rows} layers={layerNames} baseline={baseline} maxDrop={maxDrop} svgRef={svgRef} />
        <SensitivityTable rows={rows} layers={layerNames} ratios={run?.ratios ?? []} baseline={baseline} maxDrop={maxDrop} proposal={proposal} />
      </div>
      <div className="sensitivity-proposal">
        <p data-testid="sensitivity-proposal">{describeProposal(proposal, baseline, rows.length, complete)}</p>
        <button type="button" disabled={busy || proposal === undefined} data-testid="sensitivity-apply" onClick={applyProposedRatios}>
          Use these ratios
        </button>
      </div>
      <div className="sensitivity-downloads">
        <button type="button" disabled={rows.length === 0} data-testid="sensitivity-download-csv" onClick={downloadSensitivityCsv}>
          sensitivity.csv
        </button>
        <button type="button" disabled={rows.length === 0} data-testid="sensitivity-download-svg" onClick={() => svgRef.current && downloadSensitivitySvg(svgRef.current)}>
          Chart as SVG
        </button>
        <button type="button" disabled={rows.length === 0} data-testid="sensitivity-download-png" onClick={() => svgRef.current && void downloadSensitivityPng(svgRef.current)}>
          Chart as PNG
        </button>
      </div>
    </section>
  );
}

interface TableProps {
  rows: readonly SensitivityRow[];
  layers: readonly string[];
  ratios: readonly number[];
  baseline?: number;
  maxDrop?: number;
  proposal?: Record<string, number>;
}

/** Top-1 per layer and ratio; cells within the limit are shaded, and the last column is the proposal. */
function SensitivityTable({ rows, layers, ratios, baseline, maxDrop, proposal }: TableProps) {
  if (rows.length === 0) return null;
  const withinLimit = (top1: number) => baseline !== undefined && maxDrop !== undefined && baseline - top1 <= maxDrop + 1e-9;
  return (
    <div className="sensitivity-table-wrap">
      <table data-testid="sensitivity-table">
        <thead>
          <tr>
            <th scope="col">layer</th>
            {ratios.map((ratio) => (
              <th key={ratio} scope="col">
                {ratio}
              </th>
            ))}
            <th scope="col">proposed</th>
          </tr>
        </thead>
        <tbody>
          {layers.map((layer) => (
            <tr key={layer}>
              <th scope="row">{layer}</th>
              {ratios.map((ratio) => {
                const row = rows.find((entry) => entry.layer === layer && entry.ratio === ratio);
                return (
                  <td key={ratio} className={row !== undefined && withinLimit(row.top1) ? 'within-limit' : undefined}>
                    {row === undefined ? '' : formatPercent(row.top1, 1)}
                  </td>
                );
              })}
              <td data-testid={`sensitivity-proposed-${layer}`}>{proposal?.[layer] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function safeMaxDrop(text: string): number | undefined {
  try {
    return readMaxDrop(text);
  } catch {
    return undefined;
  }
}

function describeProposal(proposal: Record<string, number> | undefined, baseline: number | undefined, measured: number, complete: boolean): string {
  if (proposal !== undefined) {
    const unpruned = baseline === undefined ? '' : ` The unpruned model scores ${formatPercent(baseline)}.`;
    return `Proposed ratios: ${Object.entries(proposal).map(([layer, ratio]) => `${layer} ${ratio}`).join(', ')}.${unpruned}`;
  }
  if (measured > 0 && !complete) return 'The proposal appears when every layer and ratio has been measured.';
  return 'Run the analysis to get proposed ratios.';
}
