import { useEffect, useRef, useState } from 'react';

import type { PixelScale, ResizeMode } from '../../core/images/preprocess';
import type { ImageLoadSummary, ImagePreview } from '../../worker/images';
import { changePreprocessing, changeSplit, loadPickedImages, measureOriginalAccuracy, nearChanceHint, pickedImageFiles, recallPreprocessing } from '../actions/images';
import { formatPercent } from '../format';
import { useStore } from '../store';
import { NumberField } from './NumberField';

const SCALE_LABELS: Record<PixelScale, string> = {
  unit: '[0, 1] (byte / 255)',
  symmetric: '[-1, 1] (byte / 127.5 − 1)',
  bytes: '0–255 (unchanged)',
  'mean-std': 'mean / std per channel',
};

/**
 * Preprocessing and split settings for the user's images, with what the last load found: the
 * class mapping, skipped files, notes, previews of preprocessed images and an accuracy check.
 */
export function PreprocessPanel() {
  const settings = useStore((s) => s.preprocessing);
  const split = useStore((s) => s.split);
  const summary = useStore((s) => s.imageLoad);
  const busy = useStore((s) => s.job !== undefined);
  const modelKey = useStore((s) => (s.model === undefined ? '' : `${s.model.name}:${s.model.inputShape.join('x')}`));

  useEffect(() => {
    if (modelKey !== '') recallPreprocessing();
  }, [modelKey]);

  return (
    <div className="preprocess" data-testid="preprocess-panel">
      <h3>Preprocessing</h3>
      <label>
        Resize{' '}
        <select value={settings.resize} data-testid="resize-mode" onChange={(event) => changePreprocessing({ resize: event.target.value as ResizeMode })}>
          <option value="stretch">stretch to the model size</option>
          <option value="center-crop">centre crop, then resize</option>
        </select>
      </label>
      <label>
        Pixel values{' '}
        <select value={settings.scale} data-testid="pixel-scale" onChange={(event) => changePreprocessing({ scale: event.target.value as PixelScale })}>
          {(Object.keys(SCALE_LABELS) as PixelScale[]).map((scale) => (
            <option key={scale} value={scale}>
              {SCALE_LABELS[scale]}
            </option>
          ))}
        </select>
      </label>
      {settings.scale === 'mean-std' && (
        <div className="mean-std">
          <ListField label="Mean (0–1 scale)" values={settings.mean} testId="mean" onCommit={(mean) => changePreprocessing({ mean })} />
          <ListField label="Std (0–1 scale)" values={settings.std} testId="std" onCommit={(std) => changePreprocessing({ std })} />
        </div>
      )}
      <div className="split-fields">
        <NumberField label="Evaluation share" value={split.evaluationFraction} min={0.05} max={0.95} step={0.05} testId="evaluation-fraction" onCommit={(value) => value !== undefined && changeSplit({ evaluationFraction: value })} />
        <NumberField label="Split seed" value={split.seed} min={0} max={2 ** 31 - 1} step={1} integer testId="split-seed" onCommit={(value) => value !== undefined && changeSplit({ seed: value })} />
      </div>
      <button type="button" disabled={busy || pickedImageFiles() === undefined} onClick={() => void loadPickedImages()} data-testid="apply-preprocessing">
        Apply to the picked images
      </button>
      {summary !== undefined && <LoadSummary summary={summary} />}
    </div>
  );
}

/** Comma-separated numbers; commits only when every entry parses. */
function ListField(props: { label: string; values: readonly number[]; testId: string; onCommit: (values: number[]) => void }) {
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const text = draft ?? props.values.join(', ');
  return (
    <label>
      {props.label}{' '}
      <input
        type="text"
        value={text}
        data-testid={props.testId}
        onChange={(event) => {
          setDraft(event.target.value);
          const values = event.target.value.split(',').map((part) => Number(part.trim()));
          if (values.length > 0 && values.every(Number.isFinite)) props.onCommit(values);
        }}
        onBlur={() => setDraft(undefined)}
      />
    </label>
  );
}

function LoadSummary({ summary }: { summary: ImageLoadSummary }) {
  const evaluation = summary.evaluation;
  return (
    <div className="image-summary" data-testid="image-summary">
      <p data-testid="image-counts">
        {summary.decoded} images from {summary.source} ({describeLayout(summary.layout)}): {summary.calibration.count} calibration,{' '}
        {evaluation === undefined ? 'no evaluation images' : `${evaluation.count} evaluation`}.
      </p>
      {evaluation === undefined && (
        <p className="muted" data-testid="accuracy-disabled">
          Accuracy is disabled: these images carry no labels (no class folders and no labels CSV), so they are used only to measure APoZ and re-estimate BatchNormalization.
        </p>
      )}
      {summary.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
      <ClassMappingView summary={summary} />
      <SkippedList summary={summary} />
      <Previews previews={summary.previews} />
      {evaluation !== undefined && <AccuracyCheck />}
    </div>
  );
}

function describeLayout(layout: ImageLoadSummary['layout']): string {
  if (layout === 'image-folder') return 'one folder per class';
  if (layout === 'csv') return 'labelled by CSV';
  return 'unlabelled';
}

function ClassMappingView({ summary }: { summary: ImageLoadSummary }) {
  const mapping = summary.mapping;
  if (mapping === undefined) return null;
  return (
    <details open={mapping.mismatch !== undefined} data-testid="class-mapping">
      <summary>
        {mapping.classes.length} classes → model outputs{mapping.mismatch !== undefined && <span className="field-error"> (counts differ)</span>}
      </summary>
      {mapping.mismatch !== undefined && <p className="field-error">{mapping.mismatch}</p>}
      <p className="muted">{mapping.rule}</p>
      <table>
        <thead>
          <tr>
            <th>Class</th>
            <th>Images</th>
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {mapping.classes.map((entry) => (
            <tr key={entry.name}>
              <td>{entry.name}</td>
              <td>{entry.count}</td>
              <td>
                {entry.index}
                {mapping.classNames[entry.index] !== undefined && mapping.classNames[entry.index] !== entry.name ? ` (${mapping.classNames[entry.index]})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function SkippedList({ summary }: { summary: ImageLoadSummary }) {
  if (summary.skipped.length === 0) return null;
  return (
    <details data-testid="skipped-images">
      <summary>{summary.skipped.length} files skipped</summary>
      <ul>
        {summary.skipped.slice(0, 200).map((entry) => (
          <li key={entry.file}>
            {entry.file}: {entry.reason}
          </li>
        ))}
      </ul>
      {summary.skipped.length > 200 && <p className="muted">and {summary.skipped.length - 200} more.</p>}
    </details>
  );
}

function Previews({ previews }: { previews: readonly ImagePreview[] }) {
  if (previews.length === 0) return null;
  return (
    <div className="image-previews" data-testid="image-previews">
      {previews.map((preview) => (
        <PreviewTile key={preview.file} preview={preview} />
      ))}
    </div>
  );
}

function PreviewTile({ preview }: { preview: ImagePreview }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (context === null || context === undefined) return;
    context.putImageData(new ImageData(new Uint8ClampedArray(preview.rgba), preview.width, preview.height), 0, 0);
  }, [preview]);
  const range = `${preview.min.toPrecision(3)} to ${preview.max.toPrecision(3)}`;
  return (
    <figure title={`${preview.file}: model input values from ${range}`}>
      <canvas ref={canvas} width={preview.width} height={preview.height} />
      <figcaption>{preview.className ?? preview.file.slice(preview.file.lastIndexOf('/') + 1)}</figcaption>
    </figure>
  );
}

function AccuracyCheck() {
  const measured = useStore((s) => s.originalTop1?.top1 ?? s.result?.before.top1 ?? undefined);
  const classCount = useStore((s) => s.model?.classCount ?? 0);
  const busy = useStore((s) => s.job !== undefined);
  const hint = measured === undefined || measured === null ? undefined : nearChanceHint(measured, classCount);
  return (
    <div className="accuracy-check">
      <button type="button" disabled={busy} onClick={() => void measureOriginalAccuracy()} data-testid="measure-original">
        Measure the unpruned model
      </button>
      {measured !== undefined && measured !== null && <span data-testid="original-top1"> top-1 {formatPercent(measured)}</span>}
      {hint !== undefined && (
        <p className="field-error" data-testid="chance-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
