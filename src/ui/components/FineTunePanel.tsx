import { useMemo } from 'react';

import type { FineTuneOptimizer, FineTuneSettings } from '../../core/finetune';
import { fineTuneNow } from '../actions/finetune';
import { LossChart } from '../charts/LossChart';
import { formatPercent } from '../format';
import { useStore } from '../store';

interface NumberSetting {
  key: 'epochs' | 'batchSize' | 'learningRate' | 'validationFraction' | 'patience';
  label: string;
  min: number;
  max?: number;
  step: number | 'any';
}

const NUMBER_SETTINGS: readonly NumberSetting[] = [
  { key: 'epochs', label: 'Epochs', min: 0, step: 1 },
  { key: 'batchSize', label: 'Batch size', min: 1, step: 1 },
  { key: 'learningRate', label: 'Learning rate', min: 0, step: 'any' },
  { key: 'validationFraction', label: 'Held-out fraction', min: 0, max: 0.9, step: 0.05 },
  { key: 'patience', label: 'Patience (epochs)', min: 1, step: 1 },
];

const OPTIMIZERS: readonly { value: FineTuneOptimizer; label: string }[] = [
  { value: 'adam', label: 'Adam' },
  { value: 'sgd', label: 'SGD' },
  { value: 'momentum', label: 'SGD with momentum 0.9' },
];

/**
 * Fine-tunes the pruned model on the calibration images and shows the live loss and the top-1
 * after fine-tuning next to the top-1 before and after pruning.
 */
export function FineTunePanel() {
  const result = useStore((s) => s.result);
  const settings = useStore((s) => s.fineTuneSettings);
  const busy = useStore((s) => s.job !== undefined);
  const losses = useStore((s) => s.fineTuneLosses);
  const epochs = useStore((s) => s.fineTuneEpochs);
  const fineTuned = useStore((s) => (s.fineTuneOf !== undefined && s.fineTuneOf === s.result ? s.fineTuneResult : undefined));
  const accuracy = useMemo(() => epochs.map((e) => ({ step: e.step, value: e.heldOutAccuracy })), [epochs]);
  if (result === undefined) return null;

  const set = (changes: Partial<FineTuneSettings>) => useStore.getState().setFineTuneSettings(changes);
  return (
    <section className="panel finetune-panel" aria-labelledby="finetune-heading" data-testid="finetune-panel">
      <h2 id="finetune-heading">Fine-tune</h2>
      <p className="table-note">
        Trains the pruned model on the calibration images (a held-out part of them decides early stopping and which epoch&apos;s
        weights are kept), then measures top-1 on the evaluation images. Downloads then contain the fine-tuned model. Training is
        slow on a software WebGL GPU: with Chromium&apos;s SwiftShader on two CPU cores, one epoch took 0.12 to 0.14 s per image, and
        the first run takes longer while shaders compile.
      </p>
      <div className="finetune-fields">
        {NUMBER_SETTINGS.map((field) => (
          <label key={field.key}>
            {field.label}
            <input
              type="number"
              value={settings[field.key]}
              min={field.min}
              max={field.max}
              step={field.step}
              disabled={busy}
              data-testid={`finetune-${field.key}`}
              onChange={(event) => {
                const value = event.currentTarget.valueAsNumber;
                if (Number.isFinite(value)) set({ [field.key]: value });
              }}
            />
          </label>
        ))}
        <label>
          Optimizer
          <select value={settings.optimizer} disabled={busy} data-testid="finetune-optimizer" onChange={(event) => set({ optimizer: event.currentTarget.value as FineTuneOptimizer })}>
            {OPTIMIZERS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={busy || settings.epochs < 1} data-testid="finetune-button" onClick={() => void fineTuneNow()}>
          Start fine-tuning
        </button>
      </div>
      {(losses.length > 0 || fineTuned !== undefined) && <LossChart losses={losses} accuracy={accuracy} />}
      {fineTuned !== undefined && (
        <p data-testid="finetune-result">
          Top-1: {showTop1(result.before.top1)} before pruning, {showTop1(result.after.top1)} after pruning,{' '}
          <strong data-testid="finetune-top1">{formatPercent(fineTuned.top1After)}</strong> after fine-tuning ({fineTuned.epochsRun} of{' '}
          {fineTuned.settings.epochs} epochs on {fineTuned.trainImages} images,{' '}
          {fineTuned.bestEpoch === 0 ? 'weights from before fine-tuning kept' : `weights of epoch ${fineTuned.bestEpoch} kept`}
          {fineTuned.stoppedEarly ? ', stopped early' : ''}).
        </p>
      )}
    </section>
  );
}

function showTop1(top1: number | null): string {
  return top1 === null ? '–' : formatPercent(top1);
}
