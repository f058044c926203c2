/// <reference types="vite-plugin-pwa/client" />
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { registerSW } from 'virtual:pwa-register';

import { startApp } from './actions/startup';
import { App } from './App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { applyLinkedLayer } from './teaching/useUrlState';
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

// Started here rather than in an effect, so it runs once even under StrictMode. A link's layer
// and clustering settings apply after the start, so they win over a restored session.
void startApp().finally(() => void applyLinkedLayer());

// The service worker precaches the app, the model and the sample images so the page works
// offline once loaded. Under browser automation it would serve requests that tests intercept
// with routes, so there it registers only when the URL contains ?serviceWorker=1.
const automated = navigator.webdriver && new URLSearchParams(window.location.search).get('serviceWorker') !== '1';
if ('serviceWorker' in navigator && !automated) {
  registerSW({
    immediate: true,
    onRegisterError: (error: unknown) => console.warn('[peakprune] The service worker could not be registered, so the app will not work offline:', error),
  });
}
