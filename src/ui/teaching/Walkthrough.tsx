// Walkthrough of density peak clustering and APoZ pruning on the selected layer, one step at a
// time. Every chart draws the real layer's results, masked down to what the step has computed.
import { useEffect } from 'react';

import { toggleCenter } from '../actions/clusters';
import { DecisionGraph } from '../charts/DecisionGraph';
import { useLayerView } from '../components/useLayerView';
import { useStore } from '../store';
import { ApozRanking } from './ApozRanking';
import { DistanceHistogram } from './DistanceHistogram';
import { FilterMapPanel } from './FilterMapPanel';
import { clampStep, maskedClusters, stageView, WALKTHROUGH_STEPS } from './steps';
import { useSelectedFilters } from './useFilterMap';

/** Returns whether a key press belongs to a form control, which keeps its own arrow keys. */
function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

export function Walkthrough({ name }: { name: string }) {
  const step = useStore((s) => clampStep(s.walkthroughStep));
  const setStep = useStore((s) => s.setWalkthroughStep);
  const last = WALKTHROUGH_STEPS.length - 1;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
      const current = clampStep(useStore.getState().walkthroughStep);
      if (event.key === 'ArrowRight' && current < last) setStep(current + 1);
      else if (event.key === 'ArrowLeft' && current > 0) setStep(current - 1);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [last, setStep]);

  const current = WALKTHROUGH_STEPS[step];
  return (
    <section className="walkthrough" aria-labelledby="walkthrough-heading" data-testid="walkthrough" data-step={current.id}>
      <nav className="wt-nav" aria-label="Walkthrough steps">
        <button type="button" onClick={() => setStep(step - 1)} disabled={step === 0} data-testid="walkthrough-back">
          ← Back
        </button>
        <ol className="wt-steps">
          {WALKTHROUGH_STEPS.map((s, i) => (
            <li key={s.id}>
              <button type="button" aria-current={i === step ? 'step' : undefined} onClick={() => setStep(i)}>
                {i + 1}. {s.title}
              </button>
            </li>
          ))}
        </ol>
        <button type="button" onClick={() => setStep(step + 1)} disabled={step === last} data-testid="walkthrough-next">
          Next →
        </button>
      </nav>
      <h3 id="walkthrough-heading">
        Step {step + 1} of {last + 1}: {current.title}
      </h3>
      <p className="wt-formula">
        <code>{current.formula}</code>
      </p>
      <p className="wt-explanation">{current.explanation}</p>
      <p className="muted wt-keys">The left and right arrow keys step back and forth; on the focused map, up and down move between filters.</p>
      <div className="wt-charts">
        <FilterMapPanel name={name} view={stageView(step)} />
        <StepChart name={name} step={step} />
      </div>
    </section>
  );
}

/** Shows the second chart of a step: the distance histogram before δ exists, the decision graph after. */
function StepChart({ name, step }: { name: string; step: number }) {
  const { layer, removed, hovered, setHoveredFilter } = useLayerView(name);
  const selected = useSelectedFilters(name);
  const selectFilters = useStore((s) => s.selectFilters);
  if (layer === undefined) return null;
  const view = stageView(step);

  if (!view.delta) {
    if (layer.distances === undefined) return <p className="muted">This analysis kept no distance matrix, so the histogram cannot be drawn.</p>;
    return (
      <figure className="chart-panel">
        <figcaption>All pairwise distances. {view.density ? 'The line marks the cutoff d_c.' : 'Hover a filter to mark its own distances under the axis.'}</figcaption>
        <DistanceHistogram distances={layer.distances} n={layer.filters} dc={layer.dpc.dc} showCutoff={view.density} highlighted={hovered} />
      </figure>
    );
  }

  const masked = maskedClusters(layer.dpc, removed, view);
  return (
    <div className="wt-step-chart">
      <figure className="chart-panel decision-graph" data-testid="walkthrough-graph">
        <figcaption>Decision graph at this step. {view.centers ? 'Click a point to make it a center or not.' : ''}</figcaption>
        <DecisionGraph
          rho={layer.dpc.rho}
          delta={layer.dpc.delta}
          labels={masked.labels}
          centers={masked.centers}
          halo={masked.halo}
          removed={masked.removed}
          highlighted={hovered}
          selected={selected}
          onToggleCenter={(filter) => view.centers && toggleCenter(name, filter)}
          onBrush={(filters) => selectFilters(name, filters)}
          onHover={setHoveredFilter}
        />
      </figure>
      {view.apoz && <ApozRanking name={name} showRemoved={view.removed} />}
    </div>
  );
}
