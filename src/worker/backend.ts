import * as tf from '@tensorflow/tfjs';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';

import type { BackendInfo } from './types';

/**
 * Starts tfjs on WebGL (through an OffscreenCanvas, the only canvas a worker has) and falls
 * back to the cpu backend when WebGL cannot start, returning the reason. WebGL 2 is probed
 * first so that the common failure gets a precise reason and tfjs does not log its own warning.
 */
export async function initBackend(): Promise<BackendInfo> {
  const reason = webgl2Unavailable() ?? (await tryWebgl());
  if (reason === undefined) {
    watchContextLoss();
    return { backend: tf.getBackend() };
  }

  await tf.setBackend('cpu');
  await tf.ready();
  return { backend: tf.getBackend(), fallbackReason: reason };
}

/** Returns why WebGL 2 is unavailable in this worker, or undefined when a context can be made. */
function webgl2Unavailable(): string | undefined {
  if (typeof OffscreenCanvas === 'undefined') return 'this browser has no OffscreenCanvas in workers';
  try {
    const context = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (context === null) return 'the browser could not create a WebGL 2 context (no GPU, or the GPU is blocked)';
    context.getExtension('WEBGL_lose_context')?.loseContext();
    return undefined;
  } catch (error) {
    return `creating a WebGL 2 context failed: ${messageOf(error)}`;
  }
}

/** Switches tfjs to WebGL; returns the failure reason, or undefined when WebGL is running. */
async function tryWebgl(): Promise<string | undefined> {
  try {
    const started = await tf.setBackend('webgl');
    await tf.ready();
    if (started && tf.getBackend() === 'webgl') return undefined;
    return 'tfjs could not initialise its WebGL backend';
  } catch (error) {
    return `tfjs could not initialise its WebGL backend: ${messageOf(error)}`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Time (performance.now) at which the WebGL context was lost, until the backend is restarted. */
let contextLostAt: number | undefined;

/**
 * Listens for the loss of tfjs's WebGL context (the GPU driver reset, or the browser reclaimed
 * the GPU). tfjs itself only drops its cached context, so every later kernel fails. The worker
 * checks contextWasLost after a failed call and then restarts the backend.
 */
function watchContextLoss(): void {
  // The worker's lib types omit WebGLRenderingContext.canvas; here it is an OffscreenCanvas.
  const canvas = ((tf.backend() as MathBackendWebGL).gpgpu.gl as unknown as { canvas: EventTarget }).canvas;
  canvas.addEventListener('webglcontextlost', () => {
    contextLostAt = performance.now();
    for (const listener of [...lossListeners]) listener();
  });
}

/** Callbacks of the calls in flight, run when the context is lost. */
const lossListeners = new Set<() => void>();

/**
 * Settles like `work`, but rejects when the WebGL context is lost or already was. tfjs's asynchronous
 * reads wait on a GPU fence that never signals on a lost context, so `work` would hang.
 * NOTE: the abandoned work keeps polling its fence in the background until the worker ends.
 */
export function untilContextLoss<T>(work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onLoss = () => reject(new Error('The WebGL context was lost.'));
    if (contextLostAt !== undefined) onLoss();
    lossListeners.add(onLoss);
    work.then(resolve, reject).finally(() => lossListeners.delete(onLoss));
  });
}

export function contextWasLost(): boolean {
  return contextLostAt !== undefined;
}

/**
 * Replaces the broken WebGL backend with a new one on a new context. Every tensor of the old
 * backend is gone, so callers must rebuild their models afterwards. Falls back to cpu when
 * WebGL cannot start again.
 */
export async function restartBackend(): Promise<BackendInfo> {
  contextLostAt = undefined;
  tf.removeBackend('webgl');
  tf.registerBackend('webgl', () => new MathBackendWebGL(), 2);
  const reason = await tryWebgl();
  if (reason === undefined) {
    watchContextLoss();
    return { backend: tf.getBackend() };
  }
  await tf.setBackend('cpu');
  return { backend: tf.getBackend(), fallbackReason: `after the WebGL context was lost, ${reason}` };
}

/** Loses the WebGL context on purpose through WEBGL_lose_context, so tests can check recovery. */
export function loseContextForTest(): boolean {
  if (tf.getBackend() !== 'webgl') return false;
  const extension = (tf.backend() as MathBackendWebGL).gpgpu.gl.getExtension('WEBGL_lose_context');
  extension?.loseContext();
  return extension !== null;
}
