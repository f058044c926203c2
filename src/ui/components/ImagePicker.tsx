import { useId } from 'react';

import { openImageFiles } from '../actions/images';
import { useStore } from '../store';
import { PreprocessPanel } from './PreprocessPanel';
import './images.css';

/**
 * Inputs for the user's own images: a folder (one subfolder per class, or flat with a labels
 * CSV), or files (a .zip of either layout, images with a CSV, or unlabelled images for
 * calibration only). Decoding happens in the worker; the outcome shows in PreprocessPanel.
 */
export function ImagePicker() {
  const error = useStore((s) => s.imageError);
  const busy = useStore((s) => s.job !== undefined);
  const noModel = useStore((s) => s.model === undefined);
  const id = useId();
  const pick = (input: HTMLInputElement) => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length > 0) void openImageFiles(files);
  };
  return (
    <section className="panel image-picker" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Your own images</h2>
      <label htmlFor={`${id}-folder`}>A folder with one subfolder per class, or with a labels CSV</label>
      <input
        id={`${id}-folder`}
        type="file"
        webkitdirectory=""
        multiple
        disabled={busy || noModel}
        data-testid="image-folder"
        onChange={(event) => pick(event.target)}
      />
      <label htmlFor={`${id}-files`}>Or files: a .zip, images with a labels CSV, or single images (calibration only)</label>
      <input
        id={`${id}-files`}
        type="file"
        multiple
        accept=".zip,.csv,.txt,.json,image/png,image/jpeg,image/webp,image/gif,image/bmp"
        disabled={busy || noModel}
        data-testid="image-files"
        onChange={(event) => pick(event.target)}
      />
      {error !== undefined && (
        <p className="field-error" role="alert" data-testid="image-error">
          {error}
        </p>
      )}
      <PreprocessPanel />
    </section>
  );
}
