import { useStore } from '../store';

/** Names the tfjs backend in the worker, and why WebGL is not used when it is not. */
export function BackendBadge() {
  const backend = useStore((s) => s.backend);
  let text: string;
  let kind = 'ok';
  if (backend === undefined) {
    text = 'starting…';
    kind = 'pending';
  } else if (backend.fallbackReason !== undefined) {
    text = `${backend.backend} fallback: ${backend.fallbackReason}`;
    kind = 'warning';
  } else if (backend.backend === 'webgl') {
    text = 'WebGL in a worker';
  } else {
    text = `${backend.backend} in a worker`;
  }
  return (
    <p className={`fact backend backend-${kind}`}>
      <span className="fact-label">Backend</span> <span data-testid="backend">{text}</span>
    </p>
  );
}
