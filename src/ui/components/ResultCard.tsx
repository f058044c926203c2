import type { ModelFigures, PruneReport } from '../../core/report';
import { formatBytes, formatCount, formatLarge, formatPercent, formatPointChange, formatRatio } from '../format';
import { useStore } from '../store';
import { planKey } from '../store/plan';
import { DownloadButtons } from './DownloadButtons';
import { FineTunePanel } from './FineTunePanel';

interface FigureRow {
  label: string;
  testId: string;
  value: (figures: ModelFigures) => number | null;
  format: (value: number) => string;
  /** Comparison of after with before; formatRatio when absent. */
  compare?: (after: number | null, before: number | null) => string;
}

const ROWS: readonly FigureRow[] = [
  { label: 'Parameters', testId: 'result-params', value: (f) => f.params, format: formatLarge },
  { label: 'FLOPs', testId: 'result-flops', value: (f) => f.flops, format: formatLarge },
  { label: 'Size', testId: 'result-size', value: (f) => f.bytes, format: formatBytes },
  {
    label: 'Top-1',
    testId: 'result-top1',
    value: (f) => f.top1,
    format: (v) => formatPercent(v),
    compare: (a, b) => `${formatRatio(a, b)} (${formatPointChange(a, b)})`,
  },
];

/** Shows the before and after figures of the last pruning, with the downloads. */
/** Describes the method and ratio behind a result, for example "dpc-apoz at ratio 0.3: 68 of 224 filters removed." */
function describeRun(report: PruneReport): string {
  const removed = report.layers.reduce((sum, layer) => sum + layer.removed.length, 0);
  const filters = report.layers.reduce((sum, layer) => sum + layer.filters, 0);
  const overrides = report.plan.layerRatios === undefined ? 0 : Object.keys(report.plan.layerRatios).length;
  const perLayer = overrides > 0 ? ` (${overrides} layers with their own ratio)` : '';
  return `${report.plan.method} at ratio ${report.plan.ratio}${perLayer}: ${removed} of ${filters} filters removed.`;
}

export function ResultCard() {
  const result = useStore((s) => s.result);
  const stale = useStore((s) => s.result !== undefined && planKey(s.plan) !== s.resultKey);
  const evaluationImages = useStore((s) => s.result?.report.evaluationImages ?? 0);
  if (result === undefined) return null;
  return (
    <section className="panel result-card" aria-labelledby="result-heading" data-testid="result-card">
      <h2 id="result-heading">Result</h2>
      <p className="result-method" data-testid="result-method">{describeRun(result.report)}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
            <th scope="col">After / before</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map((row) => (
            <ResultRow key={row.testId} row={row} before={result.before} after={result.after} />
          ))}
        </tbody>
      </table>
      <p className="table-note">
        FLOPs are multiply-adds for one image; size counts float32 weights; top-1 is measured on {formatCount(evaluationImages)} evaluation
        images, without fine-tuning
        {result.report.recalibrationImagesUsed > 0
          ? `, after re-estimating BatchNormalization statistics on ${formatCount(result.report.recalibrationImagesUsed)} calibration images`
          : ''}
        .
      </p>
      {stale && <p className="notice">The plan has changed since this result; press Prune again to update it.</p>}
      <DownloadButtons />
      <FineTunePanel />
    </section>
  );
}

function ResultRow({ row, before, after }: { row: FigureRow; before: ModelFigures; after: ModelFigures }) {
  const b = row.value(before);
  const a = row.value(after);
  return (
    <tr data-testid={row.testId}>
      <th scope="row">{row.label}</th>
      <td>{b === null ? '–' : row.format(b)}</td>
      <td>{a === null ? '–' : row.format(a)}</td>
      <td>{(row.compare ?? formatRatio)(a, b)}</td>
    </tr>
  );
}
