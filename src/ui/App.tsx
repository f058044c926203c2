import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { LayerDetail } from './components/LayerDetail';
import { LayerList } from './components/LayerList';
import { ModelPicker } from './components/ModelPicker';
import { PruneControls } from './components/PruneControls';
import { ResultCard } from './components/ResultCard';
import { SweepPanel } from './components/SweepPanel';

/** Lays out the workbench: layers on the left, the selected layer in the middle, pruning on the right. */
export function App() {
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <main className="workbench">
        <div className="column layers-column">
          <LayerList />
          <ModelPicker />
        </div>
        <div className="column detail-column">
          <LayerDetail />
        </div>
        <div className="column prune-column">
          <PruneControls />
          <ResultCard />
        </div>
      </main>
      <SweepPanel />
    </div>
  );
}
