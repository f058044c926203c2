import { useStore } from '../store';
import { clearSession } from './session-db';
import { flushSession, suspendSessionSync } from './session-sync';

/**
 * Forgets the saved session and reloads the page, which then starts with the shipped model
 * and images. Remembered preprocessing settings per model stay. A running job is cancelled first.
 */
export async function startNewSession(): Promise<void> {
  useStore.getState().job?.controller.abort();
  suspendSessionSync();
  try {
    await flushSession();
    await clearSession();
  } catch (error) {
    useStore.getState().showError(`The saved session could not be deleted (${String(error)}); clear this site's data in the browser settings.`);
    return;
  }
  window.location.reload();
}
