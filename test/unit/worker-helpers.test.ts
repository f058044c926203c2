import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Progress, SampleSet } from '../../src/core/types';
import { estimateSecondsLeft, formatBytes, formatDuration, formatPointChange, formatRatio } from '../../src/ui/format';
import { readSampleLimits } from '../../src/ui/params';
import { portFromSignal, signalFromPort } from '../../src/worker/cancel';
import { scaleProgress, throttleProgress } from '../../src/worker/progress';
import { firstSamples } from '../../src/worker/sprites';

/** Waits long enough for a MessagePort message to be delivered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('cancel ports', () => {
  it('aborts the worker signal when the page aborts', async () => {
    const controller = new AbortController();
    const page = portFromSignal(controller.signal);
    const worker = signalFromPort(page.port);
    await settle();
    expect(worker.signal.aborted).toBe(false);

    controller.abort();
    await settle();
    expect(worker.signal.aborted).toBe(true);
    worker.close();
    page.close();
  });

  it('aborts at once for an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const page = portFromSignal(controller.signal);
    const worker = signalFromPort(page.port);
    await settle();
    expect(worker.signal.aborted).toBe(true);
    worker.close();
    page.close();
  });

  it('stays quiet after close', async () => {
    const controller = new AbortController();
    const page = portFromSignal(controller.signal);
    const worker = signalFromPort(page.port);
    page.close();
    controller.abort();
    await settle();
    expect(worker.signal.aborted).toBe(false);
    worker.close();
  });
});

describe('progress helpers', () => {
  afterEach(() => vi.restoreAllMocks());

  it('throttles all but phase changes and completion', () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const sent: Progress[] = [];
    const send = throttleProgress((p) => sent.push(p));

    send({ phase: 'a', done: 0.1 });
    now = 50;
    send({ phase: 'a', done: 0.2 });
    now = 60;
    send({ phase: 'b', done: 0.3 });
    now = 100;
    send({ phase: 'b', done: 0.4 });
    now = 161;
    send({ phase: 'b', done: 0.5 });
    now = 170;
    send({ phase: 'b', done: 1 });
    expect(sent.map((p) => p.done)).toEqual([0.1, 0.3, 0.5, 1]);
  });

  it('maps a step onto its share of the job', () => {
    const sent: Progress[] = [];
    const send = scaleProgress((p) => sent.push(p), 0.1, 0.5, 'step');
    send({ phase: 'inner', done: 0 });
    send({ phase: 'inner', done: 0.5, detail: 'conv1' });
    send({ phase: 'inner', done: 2 });
    expect(sent).toEqual([
      { phase: 'step', done: 0.1 },
      { phase: 'step', done: 0.30000000000000004, detail: 'conv1' },
      { phase: 'step', done: 0.5 },
    ]);
  });
});

describe('firstSamples', () => {
  const samples: SampleSet = {
    pixels: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    shape: [2, 2, 1],
    labels: Int32Array.from([0, 1, 2]),
    classNames: ['a', 'b', 'c'],
  };

  it('keeps the first images and labels', () => {
    const first = firstSamples(samples, 2);
    expect(Array.from(first.pixels)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(first.labels)).toEqual([0, 1]);
    expect(first.classNames).toEqual(['a', 'b', 'c']);
  });

  it('returns the set itself when the limit covers it', () => {
    expect(firstSamples(samples, 10)).toBe(samples);
  });
});

describe('page helpers', () => {
  it('reads image limits from the query', () => {
    expect(readSampleLimits('?calibration=100&evaluation=20')).toEqual({ calibration: 100, evaluation: 20 });
    expect(readSampleLimits('?calibration=0&evaluation=-3')).toEqual({ calibration: undefined, evaluation: undefined });
    expect(readSampleLimits('?calibration=1.5')).toEqual({ calibration: undefined, evaluation: undefined });
    expect(readSampleLimits('')).toEqual({ calibration: undefined, evaluation: undefined });
  });

  it('formats figures', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(142472)).toBe('139.1 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MB');
    expect(formatRatio(23, 46)).toBe('× 0.50');
    expect(formatRatio(1, 0)).toBe('–');
    expect(formatPointChange(0.88, 0.9)).toBe('−2.0 pts');
    expect(formatPointChange(0.9, 0.9)).toBe('±0.0 pts');
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  it('estimates time left only once it means something', () => {
    expect(estimateSecondsLeft(500, 0.5)).toBeUndefined();
    expect(estimateSecondsLeft(10_000, 0.01)).toBeUndefined();
    expect(estimateSecondsLeft(10_000, 0.25)).toBeCloseTo(30);
  });
});
