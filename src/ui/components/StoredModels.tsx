import { useState } from 'react';

import { openStoredModel } from '../actions/model-files';
import { bridge } from '../bridge';
import { describeError } from '../messages';
import type { StoredModel } from '../../worker/model';

/**
 * Lists the models tfjs saved in this browser's IndexedDB (`indexeddb://name`) on request, and
 * opens one. The list is read only when asked, because the worker may still be starting.
 */
export function StoredModels({ busy }: { busy: boolean }) {
  const [models, setModels] = useState<StoredModel[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const refresh = async () => {
    setError(undefined);
    try {
      setModels(await bridge.listStoredModels());
    } catch (thrown) {
      setError(describeError(thrown));
    }
  };

  return (
    <div className="stored-models">
      <button type="button" disabled={busy} data-testid="stored-models-refresh" onClick={() => void refresh()}>
        {models === undefined ? 'Show models saved in this browser' : 'Refresh saved models'}
      </button>
      {error !== undefined && <p className="field-error">{error}</p>}
      {models !== undefined && models.length === 0 && <p className="model-picker-hint">No models are saved in this browser's IndexedDB.</p>}
      {models !== undefined && models.length > 0 && (
        <ul data-testid="stored-models">
          {models.map((model) => (
            <li key={model.name}>
              <button type="button" disabled={busy} data-testid={`stored-model-${model.name}`} onClick={() => void openStoredModel(model.name)}>
                {model.name}
              </button>
              {model.dateSaved !== undefined && <span className="model-picker-hint"> saved {model.dateSaved.slice(0, 10)}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
