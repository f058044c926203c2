import type { Progress } from '../../core/types';
import type { SliceCreator } from './index';

/** The long job running now. Only one runs at a time. */
export interface RunningJob {
  id: number;
  /** Description of the job, e.g. "Analysing the model". */
  label: string;
  /** Latest progress; absent while the job reports none (the bar is then indeterminate). */
  progress?: Progress;
  /** performance.now() when the job started, for the time estimate. */
  startedAt: number;
  controller: AbortController;
}

export type StatusKind = 'idle' | 'done' | 'cancelled' | 'failed';

/** The status line: the running job, or how the last one ended. */
export interface JobSlice {
  job?: RunningJob;
  status: string;
  statusKind: StatusKind;
  /** Registers a new job and returns it; fails when another job is running. */
  startJob: (label: string) => RunningJob;
  setProgress: (id: number, progress: Progress) => void;
  /** Ends job `id` with a status line, unless a newer job has replaced it. */
  finishJob: (id: number, status: string, kind: StatusKind) => void;
}

let nextJobId = 1;

export const createJobSlice: SliceCreator<JobSlice> = (set, get) => ({
  status: 'Starting…',
  statusKind: 'idle',
  startJob: (label) => {
    const running = get().job;
    if (running !== undefined) throw new Error(`"${label}" cannot start while "${running.label}" is running.`);
    const job: RunningJob = { id: nextJobId++, label, startedAt: performance.now(), controller: new AbortController() };
    set({ job });
    return job;
  },
  setProgress: (id, progress) => {
    const job = get().job;
    if (job?.id === id) set({ job: { ...job, progress } });
  },
  finishJob: (id, status, statusKind) => {
    if (get().job?.id === id) set({ job: undefined, status, statusKind });
  },
});
