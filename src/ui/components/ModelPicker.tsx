import { useId, useState, type DragEvent } from 'react';

import { openModelFiles, openModelUrl } from '../actions/model-files';
import { droppedFiles, pickedFiles } from '../model-pick';
import { useStore } from '../store';
import { StoredModels } from './StoredModels';
import './model-picker.css';

/**
 * Opens the user's own model from files, a folder, a drop, a URL or IndexedDB. The file inputs
 * accept any file because weight shards often have no extension (e.g. "group1-shard1of1"); the
 * worker finds the model among the files by content and the shards by its manifest.
 */
export function ModelPicker() {
  const error = useStore((s) => s.modelFileError);
  const notes = useStore((s) => s.model?.notes);
  const busy = useStore((s) => s.job !== undefined);
  const [dragging, setDragging] = useState(false);
  const id = useId();

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    // DataTransfer is emptied when the handler returns, so its entries are collected right away.
    void droppedFiles(event.dataTransfer).then((files) => (files.length > 0 ? openModelFiles(files) : undefined));
  };

  return (
    <section
      className={dragging ? 'panel model-picker dragging' : 'panel model-picker'}
      aria-labelledby={`${id}-heading`}
      data-testid="model-drop"
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <h2 id={`${id}-heading`}>Your own model</h2>
      <p className="model-picker-hint">
        Drop or choose model.json with its weight files, a folder or .zip of them, a Teachable Machine export, or a Keras .h5 or .keras file.
      </p>
      <label htmlFor={id}>Files</label>
      <input id={id} type="file" multiple disabled={busy} data-testid="model-files" onChange={(event) => pickFrom(event.target)} />
      <label htmlFor={`${id}-folder`}>Folder</label>
      <input
        id={`${id}-folder`}
        type="file"
        disabled={busy}
        data-testid="model-folder"
        ref={(input) => input?.setAttribute('webkitdirectory', '')}
        onChange={(event) => pickFrom(event.target)}
      />
      <UrlField busy={busy} />
      <StoredModels busy={busy} />
      {error !== undefined && (
        <p className="field-error" role="alert" data-testid="model-file-error">
          {error}
        </p>
      )}
      {notes !== undefined && notes.length > 0 && (
        <ul className="model-notes" data-testid="model-notes">
          {notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function pickFrom(input: HTMLInputElement): void {
  const files = pickedFiles(Array.from(input.files ?? []));
  input.value = '';
  if (files.length > 0) void openModelFiles(files);
}

function UrlField({ busy }: { busy: boolean }) {
  const [url, setUrl] = useState('');
  const id = useId();
  return (
    <form
      className="model-url"
      onSubmit={(event) => {
        event.preventDefault();
        if (url.trim() !== '') void openModelUrl(url);
      }}
    >
      <label htmlFor={id}>URL of a model.json</label>
      <input id={id} type="url" value={url} placeholder="https://example.org/model/model.json" disabled={busy} data-testid="model-url" onChange={(event) => setUrl(event.target.value)} />
      <button type="submit" disabled={busy || url.trim() === ''} data-testid="model-url-open">
        Open
      </button>
    </form>
  );
}
