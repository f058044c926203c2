import { writeViewState } from '../params';
import { useStore } from '../store';
import { clearSession } from './session-db';
import { flushSession, suspendSessionSync } from './session-sync';

/**
 * Asks first, then deletes the saved session and reloads the page without the old view's
 * address parameters, so it starts with the shipped model and images. Remembered preprocessing
 * settings per model stay. A running job is cancelled first.
 */
export async function startNewSession(): Promise<void> {
  const message = 'Start a new session? The loaded model, images, plan and result are forgotten; download what you want to keep first.';
  if (!window.confirm(message)) return;
  useStore.getState().job?.controller.abort();
  suspendSessionSync();
  try {
    await flushSession();
    await clearSession();
  } catch (error) {
    useStore.getState().showError(`The saved session could not be deleted (${String(error)}); clear this site's data in the browser settings.`);
    return;
  }
  // The view of the old session (its layer, step or centers) would not fit the shipped model.
  const { pathname, search, hash } = window.location;
  window.location.replace(pathname + writeViewState(search, {}) + hash);
}
