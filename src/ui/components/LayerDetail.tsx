import { analyzeLoadedModel } from '../actions/analysis';
import { loadShippedAndAnalyze } from '../actions/startup';
import { useStore } from '../store';
import { ActivationView } from '../teaching/ActivationView';
import { FilterMapPanel } from '../teaching/FilterMapPanel';
import { Playground } from '../teaching/Playground';
import { TeachingTabs } from '../teaching/TeachingTabs';
import { useUrlState } from '../teaching/useUrlState';
import { Walkthrough } from '../teaching/Walkthrough';
import { ClusterControls } from './ClusterControls';
import { DecisionGraphPanel } from './DecisionGraphPanel';
import { KernelPanel } from './KernelPanel';
import { LayerFacts } from './LayerFacts';

/**
 * Shows the selected layer in one of four views. The layer view has the clustering controls,
 * decision graph, filter map and kernel grid. The others are the walkthrough, the activation
 * maps and the 2-D playground, which needs no model.
 */
export function LayerDetail() {
  const name = useStore((s) => s.selectedLayer);
  const hasLayers = useStore((s) => s.layers.length > 0);
  const view = useStore((s) => s.teachingView);
  useUrlState();

  if (name === undefined || !hasLayers) {
    return (
      <section className="panel layer-detail empty">
        <TeachingTabs available={['layer', 'playground']} />
        {view === 'playground' ? <Playground /> : <NotAnalysed />}
      </section>
    );
  }
  return (
    <section className="panel layer-detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading">{name}</h2>
      <TeachingTabs />
      {view === 'layer' && (
        <>
          <LayerFacts name={name} />
          <ClusterControls name={name} />
          <DecisionGraphPanel name={name} />
          <FilterMapPanel name={name} />
          <KernelPanel name={name} />
        </>
      )}
      {view === 'walkthrough' && (
        <>
          <ClusterControls name={name} />
          <Walkthrough name={name} />
        </>
      )}
      {view === 'activations' && <ActivationView name={name} />}
      {view === 'playground' && <Playground />}
    </section>
  );
}

/** Shows the empty state before an analysis, with buttons to analyse or load again once a job has ended. */
function NotAnalysed() {
  const busy = useStore((s) => s.job !== undefined);
  const canAnalyze = useStore((s) => s.model !== undefined && s.samples.calibration !== undefined);
  // Once a job has ended (the status is no longer the initial "Starting…"), missing images or
  // model mean the load was cancelled or failed, so the page offers to load them again.
  const canReload = useStore((s) => s.statusKind !== 'idle' && (s.model === undefined || s.samples.calibration === undefined || s.samples.evaluation === undefined));
  return (
    <>
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
    </>
  );
}
