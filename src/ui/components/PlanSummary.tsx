import { formatPercent } from '../format';
import { useStore } from '../store';
import { planTotals } from '../store/plan';

/** Shows what the current plan removes, or why there is no plan. */
export function PlanSummary() {
  const plan = useStore((s) => s.plan);
  const planError = useStore((s) => s.planError);
  const totals = plan === undefined ? undefined : planTotals(plan);
  return (
    <div className="plan-summary">
      {totals !== undefined && (
        <p data-testid="plan-summary">
          The plan removes {totals.removed} of {totals.filters} filters ({formatPercent(totals.filters === 0 ? 0 : totals.removed / totals.filters)}).
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
