import { ErrorBanner } from './components/ErrorBanner';
import { Header } from './components/Header';
import { LayerDetail } from './components/LayerDetail';
import { LayerList } from './components/LayerList';
import { ImagePicker } from './components/ImagePicker';
import { ModelPicker } from './components/ModelPicker';
import { SessionBar } from './components/SessionBar';
import { PruneControls } from './components/PruneControls';
import { ResultCard } from './components/ResultCard';
import { SweepPanel } from './components/SweepPanel';
import { SensitivityPanel } from './components/SensitivityPanel';

/** Lays out the workbench: layers on the left, the selected layer in the middle, pruning on the right. */
export function App() {
  return (
    <div className="app">
      <Header />
      <SessionBar />
      <ErrorBanner />
      <main className="workbench">
        <div className="column layers-column">
          <LayerList />
          <ModelPicker />
          <ImagePicker />
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
      <SensitivityPanel />
    </div>
  );
}
