import { analyzeLoadedModel } from '../actions/analysis';
import { loadShippedAndAnalyze } from '../actions/startup';
import { useStore } from '../store';
import { ClusterControls } from './ClusterControls';
import { DecisionGraphPanel } from './DecisionGraphPanel';
import { KernelPanel } from './KernelPanel';
import { LayerFacts } from './LayerFacts';

/** Shows the selected layer: its clustering controls, decision graph and kernel grid. */
export function LayerDetail() {
  const name = useStore((s) => s.selectedLayer);
  const hasLayers = useStore((s) => s.layers.length > 0);
  const busy = useStore((s) => s.job !== undefined);
  const canAnalyze = useStore((s) => s.model !== undefined && s.samples.calibration !== undefined);
  // Once a job has ended (the status is no longer the initial "Starting…"), missing images or
  // model mean the load was cancelled or failed, so the page offers to load them again.
  const canReload = useStore((s) => s.statusKind !== 'idle' && (s.model === undefined || s.samples.calibration === undefined || s.samples.evaluation === undefined));

  if (name === undefined || !hasLayers) {
    return (
      <section className="panel layer-detail empty">
        <p className="muted">{busy ? 'The layers appear here once the analysis is done.' : 'The model has not been analysed.'}</p>
        {!busy && canAnalyze && (
          <button type="button" onClick={() => void analyzeLoadedModel()} data-testid="analyze-button">
            Analyse the model
          </button>
        )}
        {!busy && canReload && (
          <button type="button" onClick={() => void loadShippedAndAnalyze()} data-testid="reload-button">
            Load the model and images
          </button>
        )}
      </section>
    );
  }
  return (
    <section className="panel layer-detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading">{name}</h2>
      <LayerFacts name={name} />
      <ClusterControls name={name} />
      <DecisionGraphPanel name={name} />
      <KernelPanel name={name} />
    </section>
  );
}
