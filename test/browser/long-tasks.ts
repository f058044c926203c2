// Main-thread long tasks on the built app. LONG_TASK_OBSERVER goes in with page.addInitScript, so
// a PerformanceObserver for 'longtask' entries runs before the page's own scripts; the readers
// return what it collected.
import type { Page } from 'playwright-core';

/** Collects every long task (over 50 ms, as the Long Tasks API defines it) from the page's first script on. */
export const LONG_TASK_OBSERVER = `
  window.__longTasks = [];
  const keep = (entries) => {
    for (const entry of entries) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
  };
  window.__longTaskObserver = new PerformanceObserver((list) => keep(list.getEntries()));
  window.__longTaskObserver.observe({ type: 'longtask', buffered: true });
  // Entries reach the callback in a later task, so a read first takes the queued ones.
  window.__readLongTasks = () => {
    keep(window.__longTaskObserver.takeRecords());
    return window.__longTasks;
  };
  // Long tasks are reported only above 50 ms, so a 10 ms timer also records every gap over 20 ms
  // between its ticks. That gap bounds shorter blocking from above and is printed, not asserted.
  window.__timerGaps = [];
  let lastTick = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 20) window.__timerGaps.push({ start: lastTick, duration: now - lastTick });
    lastTick = now;
  }, 10);
`;

export interface LongTask {
  start: number;
  duration: number;
}

/** A span of page time in performance.now() milliseconds, for example one job. */
export interface JobWindow {
  start: number;
  end: number;
}

/** Returns every long task (over 50 ms) the observer has seen so far. */
export async function readLongTasks(page: Page): Promise<LongTask[]> {
  const tasks = await page.evaluate(() => (globalThis as unknown as { __readLongTasks?: () => LongTask[] }).__readLongTasks?.());
  if (tasks === undefined) throw new Error('The long-task observer is missing from the page: the init script did not run.');
  return tasks;
}

/** Returns every gap over 20 ms between ticks of the page's 10 ms timer so far. */
export async function readTimerGaps(page: Page): Promise<LongTask[]> {
  return page.evaluate(() => (globalThis as unknown as { __timerGaps?: LongTask[] }).__timerGaps ?? []);
}

/** Returns the longest span that started inside `window`, or 0 when there is none. */
export function longestIn(spans: readonly LongTask[], window: JobWindow): number {
  const inside = spans.filter((span) => span.start >= window.start && span.start <= window.end);
  return inside.reduce((max, span) => Math.max(max, span.duration), 0);
}
