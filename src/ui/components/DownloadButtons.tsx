import { useState } from 'react';

import { downloadModel, downloadReport, downloadZip } from '../actions/prune';
import { downloadExportZip } from '../download';
import { useStore } from '../store';

/**
 * Downloads of the pruned model. The zip with everything comes first because some browsers
 * block a page that starts several downloads at once; the single files follow.
 */
export function DownloadButtons() {
  const ready = useStore((s) => s.downloads !== undefined);
  const weightsFileName = useStore((s) => s.downloads?.weightsFileName ?? 'weights');
  const [packing, setPacking] = useState(false);
  const downloadAll = () => {
    setPacking(true);
    void downloadExportZip().finally(() => setPacking(false));
  };
  return (
    <div className="downloads">
      <button
        type="button"
        className="primary"
        disabled={!ready || packing}
        onClick={downloadAll}
        data-testid="download-export"
        title="The pruned model, report.json, plan.json, the sweep's CSV and JSON when a sweep ran, and the charts as SVG"
      >
        {packing ? 'Packing the zip…' : 'Download everything (.zip)'}
      </button>
      <button type="button" disabled={!ready} onClick={downloadModel} data-testid="download-model" title={`model.json and ${weightsFileName}, as two downloads`}>
        Download model files
      </button>
      <button type="button" disabled={!ready} onClick={downloadZip} data-testid="download-zip" title={`model.json and ${weightsFileName} in model.zip`}>
        Download model as zip
      </button>
      <button type="button" disabled={!ready} onClick={downloadReport} data-testid="download-report">
        Download report
      </button>
      {!ready && <p className="muted">Preparing the files…</p>}
    </div>
  );
}
