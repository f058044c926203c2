import { useStore } from '../store';

/** Shows the last error in one sentence until the user dismisses it. */
export function ErrorBanner() {
  const error = useStore((s) => s.error);
  const dismissError = useStore((s) => s.dismissError);
  if (error === undefined) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <p>{error}</p>
      <button type="button" onClick={dismissError} data-testid="dismiss-error">
        Dismiss
      </button>
    </div>
  );
}
