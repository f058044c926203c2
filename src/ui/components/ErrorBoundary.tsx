import { Component, type ErrorInfo, type ReactNode } from 'react';

interface ErrorBoundaryState {
  message?: string;
}

/** Replaces a page that failed to render with a sentence and a reload button, never a blank page. */
export class ErrorBoundary extends Component<{ children: ReactNode }, ErrorBoundaryState> {
  override state: ErrorBoundaryState = {};

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { message: error instanceof Error ? error.message : String(error) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('[peakprune] the page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.message === undefined) return this.props.children;
    return (
      <div className="crash" role="alert" data-testid="crash">
        <h1>PeakPrune</h1>
        <p>The page failed to draw ({this.state.message}); reload it to start again. Loaded models are not kept.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    );
  }
}
