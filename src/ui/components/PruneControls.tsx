import { useId } from 'react';

import { pruneNow } from '../actions/prune';
import type { PruneMethod } from '../../core/types';
import { useStore } from '../store';
import { MAX_RATIO } from '../store/plan';
import { NumberField } from './NumberField';
import { PlanSummary } from './PlanSummary';

/** Method, global ratio and minimum channels of the plan, and the Prune button. */
export function PruneControls() {
  const options = useStore((s) => s.planOptions);
  const setPlanOptions = useStore((s) => s.setPlanOptions);
  const canPrune = useStore((s) => s.plan !== undefined && s.job === undefined && s.samples.evaluation !== undefined);
  const missingEvaluation = useStore((s) => s.plan !== undefined && s.samples.evaluation === undefined);
  const sliderId = useId();

  return (
    <section className="panel prune-controls" aria-labelledby="prune-heading">
      <h2 id="prune-heading">Pruning</h2>
      <label>
        Method{' '}
        <select value={options.method} onChange={(event) => setPlanOptions({ method: event.target.value as PruneMethod })} data-testid="method-select">
          <option value="dpc-apoz">DPC + APoZ (per cluster)</option>
          <option value="l1">L1 norm (whole layer)</option>
          <option value="l2">L2 norm (whole layer)</option>
          <option value="apoz">APoZ (whole layer, no clusters)</option>
          <option value="random">Random (seeded)</option>
          <option value="fpgm">FPGM: nearest the geometric median</option>
          <option value="density-peak">Near density peaks</option>
          <option value="dpc-l1">DPC + L1 (per cluster)</option>
        </select>
      </label>
      <div className="ratio-control">
        <label htmlFor={sliderId}>Global ratio</label>
        <input
          id={sliderId}
          type="range"
          min={0}
          max={MAX_RATIO}
          step={0.01}
          value={options.ratio}
          onChange={(event) => setPlanOptions({ ratio: Number(event.target.value) })}
          data-testid="ratio-slider"
        />
        <NumberField
          label="Global ratio (number)"
          className="visually-hidden-label"
          value={options.ratio}
          min={0}
          max={MAX_RATIO}
          step={0.05}
          onCommit={(ratio) => ratio !== undefined && setPlanOptions({ ratio })}
          testId="ratio-input"
        />
      </div>
      <NumberField
        label="Minimum filters per layer"
        value={options.minChannels}
        min={1}
        max={4096}
        step={1}
        integer
        onCommit={(minChannels) => minChannels !== undefined && Number.isInteger(minChannels) && setPlanOptions({ minChannels })}
        testId="min-channels"
      />
      <NumberField
        label="Re-estimate BatchNormalization statistics on this many calibration images (0: off)"
        value={options.recalibrationImages ?? 0}
        min={0}
        max={100000}
        step={100}
        integer
        onCommit={(images) => images !== undefined && Number.isInteger(images) && setPlanOptions({ recalibrationImages: images })}
        testId="recalibration-images"
      />
      <PlanSummary />
      <button type="button" className="primary" disabled={!canPrune} onClick={() => void pruneNow()} data-testid="prune-button">
        Prune
      </button>
      {missingEvaluation && (
        <p className="hint" data-testid="prune-needs-evaluation">
          Prune measures accuracy on evaluation images, and none are loaded: load labelled images with at least two per class, or
          raise the evaluation share of the split.
        </p>
      )}
    </section>
  );
}
