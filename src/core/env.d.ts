// The core compiles against the ES2022 library only, so neither DOM nor Node types leak in.
// These are the two host facilities it relies on, both present in browsers, workers and Node.

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare function setTimeout(callback: () => void, ms?: number): unknown;
