import { useEffect } from 'react';

import { useStore } from '../store';
import { TEACHING_VIEWS, type TeachingView } from '../store/teaching';

const VIEW_LABELS: Record<TeachingView, string> = {
  layer: 'Layer',
  walkthrough: 'Walkthrough',
  activations: 'Activations',
  playground: 'Playground',
};

/** Buttons that switch the detail column's view, and the presenter toggle. */
export function TeachingTabs({ available = TEACHING_VIEWS }: { available?: readonly TeachingView[] }) {
  const view = useStore((s) => s.teachingView);
  const setView = useStore((s) => s.setTeachingView);
  const presenter = useStore((s) => s.presenter);
  const setPresenter = useStore((s) => s.setPresenter);
  usePresenterClass(presenter);

  return (
    <div className="teaching-tabs" role="group" aria-label="View of the layer">
      {available.map((entry) => (
        <button key={entry} type="button" aria-pressed={view === entry} onClick={() => setView(entry)} data-testid={`view-${entry}`}>
          {VIEW_LABELS[entry]}
        </button>
      ))}
      <button type="button" className="presenter-toggle" aria-pressed={presenter} onClick={() => setPresenter(!presenter)} data-testid="presenter-toggle">
        Presenter view
      </button>
    </div>
  );
}

/** Puts the `presenter` class on <html> while presenter view is on, which enlarges type and charts. */
function usePresenterClass(on: boolean): void {
  useEffect(() => {
    document.documentElement.classList.toggle('presenter', on);
  }, [on]);
}
