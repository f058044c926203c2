// Cancellation across the thread boundary. An AbortSignal cannot be posted to a worker, so the
// page sends one end of a MessageChannel with each long call and posts ABORT_MESSAGE on the
// other end when its own signal aborts. Both ends live here so the protocol has one definition.

export const ABORT_MESSAGE = 'abort';

/** Creates a signal that aborts when ABORT_MESSAGE arrives on the port. `close` stops listening. */
export function signalFromPort(port: MessagePort): { signal: AbortSignal; close: () => void } {
  const controller = new AbortController();
  port.onmessage = (event: MessageEvent) => {
    if (event.data === ABORT_MESSAGE) controller.abort();
  };
  return {
    signal: controller.signal,
    close: () => {
      port.onmessage = null;
      port.close();
    },
  };
}

/**
 * Creates the port to transfer with a call. When `signal` aborts (or already has), the
 * returned port's peer posts ABORT_MESSAGE. Call `close` once the call has settled.
 */
export function portFromSignal(signal: AbortSignal | undefined): { port: MessagePort; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  const onAbort = () => port1.postMessage(ABORT_MESSAGE);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    port: port2,
    close: () => {
      signal?.removeEventListener('abort', onAbort);
      port1.close();
    },
  };
}
