import { formatLarge } from '../format';
import { describeLoadedImages } from '../samples-text';
import { useStore } from '../store';

/** Names the loaded model and images, with their counts. */
export function LoadedInfo() {
  const model = useStore((s) => s.model);
  const samples = useStore((s) => s.samples);
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
        <span data-testid="loaded-images">{describeLoadedImages(samples, busy)}</span>
      </p>
    </>
  );
}

