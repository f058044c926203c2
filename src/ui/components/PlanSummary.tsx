import { formatPercent } from '../format';
import { useStore } from '../store';
import { planTotals } from '../store/plan';
import type { PruningPlan } from '../../core/types';

/** Filters the plan's ratios ask for: round(ratio · n) per layer, within the minimum channel count. */
function requestedRemovals(plan: PruningPlan): number {
  const { ratio, layerRatios, minChannels } = plan.options;
  return plan.layers.reduce((sum, layer) => {
    const requested = Math.round((layerRatios?.[layer.name] ?? ratio) * layer.filters);
    return sum + Math.max(0, Math.min(requested, layer.filters - (minChannels ?? 1)));
  }, 0);
}

/** Shows what the current plan removes, or why there is no plan. */
export function PlanSummary() {
  const plan = useStore((s) => s.plan);
  const planError = useStore((s) => s.planError);
  const totals = plan === undefined ? undefined : planTotals(plan);
  const requested = plan === undefined ? 0 : requestedRemovals(plan);
  return (
    <div className="plan-summary">
      {totals !== undefined && (
        <p data-testid="plan-summary">
          The plan removes {totals.removed} of {totals.filters} filters ({formatPercent(totals.filters === 0 ? 0 : totals.removed / totals.filters)}).
        </p>
      )}
      {totals !== undefined && totals.removed < requested && (
        <p className="hint" data-testid="plan-shortfall">
          The ratios request {requested}. Fewer go because each cluster keeps at least one filter, each layer keeps the minimum, or
          filters were kept by hand; fewer clusters remove more.
        </p>
      )}
      {totals === undefined && planError === undefined && <p className="muted">The plan appears after the analysis.</p>}
      {planError !== undefined && (
        <p className="field-error" role="alert" data-testid="plan-error">
          {planError}
        </p>
      )}
    </div>
  );
}
