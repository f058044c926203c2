import { analyzeLoadedModel } from '../actions/analysis';
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

  if (name === undefined || !hasLayers) {
    return (
      <section className="panel layer-detail empty">
        <p className="muted">{busy ? 'The layers appear here once the analysis is done.' : 'The model has not been analysed.'}</p>
        {!busy && canAnalyze && (
          <button type="button" onClick={() => void analyzeLoadedModel()} data-testid="analyze-button">
            Analyse the model
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
