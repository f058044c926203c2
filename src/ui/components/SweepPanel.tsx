import { useRef } from 'react';

import type { SweepRow } from '../../core/sweep';
import { PRUNE_METHODS } from '../../core/criteria';
import { downloadSweepCsv, downloadSweepJson, downloadSweepPng, downloadSweepSvg, sweepNow } from '../actions/sweep';
import { cancelJob } from '../actions/jobs';
import { SweepChart } from '../charts/SweepChart';
import { formatCount, formatPercent } from '../format';
import { useStore } from '../store';
import type { SweepAxis } from '../sweep-export';

const AXES: readonly { value: SweepAxis; label: string }[] = [
  { value: 'ratio', label: 'Pruning ratio' },
  { value: 'params', label: 'Parameters kept' },
  { value: 'flops', label: 'FLOPs kept' },
];

/**
 * Compares pruning methods on the loaded model: prunes with every ticked method and ratio
 * (random once per seed), measures top-1 on the evaluation images, optionally fine-tunes each
 * pruned model and measures it again, and draws the results as they arrive.
 */
export function SweepPanel() {
  const analysed = useStore((s) => s.layers.length > 0);
  const job = useStore((s) => s.job);
  const methods = useStore((s) => s.sweepMethods);
  const ratiosText = useStore((s) => s.sweepRatiosText);
  const seedsText = useStore((s) => s.sweepSeedsText);
  const epochsText = useStore((s) => s.sweepFineTuneEpochsText);
  const rows = useStore((s) => s.sweepRows);
  const axis = useStore((s) => s.sweepAxis);
  const svgRef = useRef<SVGSVGElement>(null);
  if (!analysed) return null;

  const busy = job !== undefined;
  const sweeping = busy && job.label === 'Comparing methods';
  const store = useStore.getState();
  return (
    <section className="panel sweep-panel" aria-labelledby="sweep-heading" data-testid="sweep-panel">
      <h2 id="sweep-heading">Compare methods</h2>
      <p className="table-note">
        Prunes the loaded model with each ticked method at each ratio (random once per seed), re-estimates BatchNormalization as
        Prune does, and measures top-1 on the evaluation images. With fine-tune epochs above 0, each pruned model is then trained on
        the calibration images with the Fine-tune panel&apos;s other settings and measured again (hollow squares, dashed lines). On a
        software WebGL GPU (SwiftShader on two CPU cores) that costs roughly 0.1 s per calibration image and epoch. Each pruned model is discarded after it is
        measured; Cancel keeps the points measured so far.
      </p>
      <fieldset className="sweep-methods" disabled={busy}>
        <legend>Methods</legend>
        {PRUNE_METHODS.map((method) => (
          <label key={method}>
            <input
              type="checkbox"
              checked={methods.includes(method)}
              data-testid={`sweep-method-${method}`}
              onChange={(event) => store.toggleSweepMethod(method, event.currentTarget.checked)}
            />
            {method}
          </label>
        ))}
      </fieldset>
      <div className="sweep-fields">
        <label>
          Ratios
          <input type="text" value={ratiosText} disabled={busy} data-testid="sweep-ratios" onChange={(event) => store.setSweepRatiosText(event.currentTarget.value)} />
        </label>
        <label>
          Seeds (random)
          <input type="text" value={seedsText} disabled={busy} data-testid="sweep-seeds" onChange={(event) => store.setSweepSeedsText(event.currentTarget.value)} />
        </label>
        <label>
          Fine-tune epochs
          <input
            type="text"
            inputMode="numeric"
            value={epochsText}
            disabled={busy}
            data-testid="sweep-finetune-epochs"
            onChange={(event) => store.setSweepFineTuneEpochsText(event.currentTarget.value)}
          />
        </label>
        <button type="button" disabled={busy} data-testid="sweep-run" onClick={() => void sweepNow()}>
          Run
        </button>
        <button type="button" disabled={!sweeping} data-testid="sweep-cancel" onClick={cancelJob}>
          Cancel
        </button>
        <label>
          x axis
          <select value={axis} data-testid="sweep-axis" onChange={(event) => store.setSweepAxis(event.currentTarget.value as SweepAxis)}>
            {AXES.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="sweep-body">
        <SweepChart rows={rows} axis={axis} svgRef={svgRef} />
        <SweepTable rows={rows} />
      </div>
      <div className="sweep-downloads">
        <button type="button" disabled={rows.length === 0} data-testid="sweep-download-csv" onClick={downloadSweepCsv}>
          sweep.csv
        </button>
        <button type="button" disabled={rows.length === 0} data-testid="sweep-download-json" onClick={downloadSweepJson}>
          sweep.json
        </button>
        <button type="button" disabled={rows.length === 0} data-testid="sweep-download-svg" onClick={() => svgRef.current && downloadSweepSvg(svgRef.current)}>
          Chart as SVG
        </button>
        <button type="button" disabled={rows.length === 0} data-testid="sweep-download-png" onClick={() => svgRef.current && void downloadSweepPng(svgRef.current)}>
          Chart as PNG
        </button>
      </div>
    </section>
  );
}

function SweepTable({ rows }: { rows: readonly SweepRow[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="sweep-table-wrap">
      <table data-testid="sweep-table">
        <thead>
          <tr>
            <th scope="col">method</th>
            <th scope="col">seed</th>
            <th scope="col">ratio</th>
            <th scope="col">params</th>
            <th scope="col">FLOPs</th>
            <th scope="col">top-1</th>
            <th scope="col">fine-tuned</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.method}/${row.seed ?? ''}/${row.ratio}`}>
              <td>{row.method}</td>
              <td>{row.seed ?? ''}</td>
              <td>{row.ratio}</td>
              <td>{formatCount(row.params)}</td>
              <td>{formatCount(row.flops)}</td>
              <td>{formatPercent(row.top1, 2)}</td>
              <td>{row.top1Finetuned === null ? '' : formatPercent(row.top1Finetuned, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
