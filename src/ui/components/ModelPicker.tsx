import { useId } from 'react';

import { openModelFiles } from '../actions/model-files';
import { useStore } from '../store';

/**
 * Shows a file input for the user's own model: model.json and its weight files, picked together.
 * It accepts any file because weight shards often have no extension (e.g. "group1-shard1of1");
 * openModelFiles finds the model.json by content and the shards by its manifest.
 */
export function ModelPicker() {
  const error = useStore((s) => s.modelFileError);
  const busy = useStore((s) => s.job !== undefined);
  const id = useId();
  return (
    <section className="panel model-picker" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Your own model</h2>
      <label htmlFor={id}>Choose model.json and its weight files together</label>
      <input
        id={id}
        type="file"
        multiple
        disabled={busy}
        data-testid="model-files"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length > 0) void openModelFiles(files);
        }}
      />
      {error !== undefined && (
        <p className="field-error" role="alert" data-testid="model-file-error">
          {error}
        </p>
      )}
    </section>
  );
}
