import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';

import type { BackendInfo } from './types';

/**
 * Starts tfjs on WebGL (through an OffscreenCanvas, the only canvas a worker has) and falls
 * back to the cpu backend when WebGL cannot start, returning the reason. WebGL 2 is probed
 * first so that the common failure gets a precise reason and tfjs does not log its own warning.
 */
export async function initBackend(): Promise<BackendInfo> {
  const reason = webgl2Unavailable() ?? (await tryWebgl());
  if (reason === undefined) return { backend: tf.getBackend() };

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
