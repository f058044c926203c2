import { downloadModel, downloadReport, downloadZip } from '../actions/prune';
import { useStore } from '../store';

/** Downloads of the pruned model (two files or one zip) and of report.json. */
export function DownloadButtons() {
  const ready = useStore((s) => s.downloads !== undefined);
  const weightsFileName = useStore((s) => s.downloads?.weightsFileName ?? 'weights');
  return (
    <div className="downloads">
      <button type="button" disabled={!ready} onClick={downloadModel} data-testid="download-model" title={`model.json and ${weightsFileName}`}>
        Download model
      </button>
      <button type="button" disabled={!ready} onClick={downloadZip} data-testid="download-zip">
        Download model as zip
      </button>
      <button type="button" disabled={!ready} onClick={downloadReport} data-testid="download-report">
        Download report
      </button>
      {!ready && <p className="muted">Preparing the files…</p>}
    </div>
  );
}
