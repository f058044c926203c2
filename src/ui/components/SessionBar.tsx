import { useId } from 'react';

import { exportPlan, importPlan } from '../actions/plan-file';
import { startNewSession } from '../persist/new-session';
import { useStore } from '../store';
import './images.css';

/**
 * Shows the session's controls: "New session", the plan file's export and import, and whether
 * the session was saved. The session is saved in this browser's IndexedDB as it changes.
 */
export function SessionBar() {
  const note = useStore((s) => s.sessionNote);
  const busy = useStore((s) => s.job !== undefined);
  const hasPlan = useStore((s) => s.plan !== undefined);
  const id = useId();
  return (
    <div className="session-bar" data-testid="session-bar">
      <button type="button" onClick={() => void startNewSession()} data-testid="new-session" title="Forget the saved session and start again with the shipped model and images">
        New session
      </button>
      <button type="button" disabled={!hasPlan} onClick={exportPlan} data-testid="export-plan" title="Download the current plan as plan.json">
        Export plan
      </button>
      <label htmlFor={id} className="plan-import">
        Import plan
      </label>
      <input
        id={id}
        type="file"
        accept=".json,application/json"
        disabled={busy || !hasPlan}
        data-testid="import-plan"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file !== undefined) void importPlan(file);
        }}
      />
      {note !== undefined && (
        <span className="muted" data-testid="session-note">
          {note}
        </span>
      )}
    </div>
  );
}
