import { cancelJob } from '../actions/jobs';
import { estimateSecondsLeft, formatDuration, formatPercent } from '../format';
import { useStore } from '../store';
import type { RunningJob } from '../store/job';

/** Shows the running job with progress, time left and Cancel, or how the last job ended. */
export function StatusLine() {
  const job = useStore((s) => s.job);
  const status = useStore((s) => s.status);
  const statusKind = useStore((s) => s.statusKind);
  return (
    <div className="status-line" data-testid="status-line">
      {job === undefined ? (
        <p className={`status status-${statusKind}`} aria-live="polite" data-testid="status-text">
          {status}
        </p>
      ) : (
        <JobProgress job={job} />
      )}
    </div>
  );
}

function JobProgress({ job }: { job: RunningJob }) {
  const progress = job.progress;
  const secondsLeft = progress === undefined ? undefined : estimateSecondsLeft(performance.now() - job.startedAt, progress.done);
  const phase = progress === undefined ? '' : `: ${progress.phase}${progress.detail === undefined ? '' : ` (${progress.detail})`}`;
  return (
    <>
      <p className="status status-running" aria-live="polite" data-testid="status-text">
        {job.label}
        {phase}
      </p>
      <progress max={1} value={progress?.done} aria-label={`${job.label} progress`} data-testid="progress" />
      <span className="status-figures">
        {progress === undefined ? '' : formatPercent(progress.done, 0)}
        {secondsLeft === undefined ? '' : ` · about ${formatDuration(secondsLeft)} left`}
      </span>
      <button type="button" onClick={cancelJob} data-testid="cancel-button">
        Cancel
      </button>
    </>
  );
}
