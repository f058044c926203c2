import { formatCount, formatLarge } from '../format';
import { useStore } from '../store';
import type { SamplesInfo } from '../../worker/types';

/** Names the loaded model and images, with their counts. */
export function LoadedInfo() {
  const model = useStore((s) => s.model);
  const calibration = useStore((s) => s.samples.calibration);
  const evaluation = useStore((s) => s.samples.evaluation);
  const busy = useStore((s) => s.job !== undefined);
  const modelText =
    model === undefined
      ? busy
        ? 'loading…'
        : 'not loaded'
      : `${model.source} (${model.name}) · input ${model.inputShape.map((d) => d ?? '?').join('×')} · ${model.classCount ?? '?'} classes · ${formatLarge(model.metrics.params)} parameters`;
  return (
    <>
      <p className="fact">
        <span className="fact-label">Model</span> <span data-testid="loaded-model">{modelText}</span>
      </p>
      <p className="fact">
        <span className="fact-label">Images</span>{' '}
        <span data-testid="loaded-images">
          {describeSamples(calibration, 'calibration', busy)} · {describeSamples(evaluation, 'evaluation', busy)}
        </span>
      </p>
    </>
  );
}

function describeSamples(samples: SamplesInfo | undefined, kind: string, busy: boolean): string {
  if (samples === undefined) return `${kind}: ${busy ? 'loading…' : 'not loaded'}`;
  return `${formatCount(samples.count)} ${kind} (${samples.source}, ${samples.classNames.length} classes)`;
}
