import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { startApp } from './actions/startup';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import './styles.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no element with id "root".');

createRoot(container).render(
  <StrictMode>
    <ErrorBoundary>
      <App />
    </ErrorBoundary>
  </StrictMode>,
);

// Started here rather than in an effect, so it runs once even under StrictMode.
void startApp();
