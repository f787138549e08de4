/**
 * A run of failures of work retried in the background (writes while PostgreSQL is away, publishes Kafka refuses),
 * from its first failure to the next success. Its failures are logged at the first and one in some number after, not
 * once a second for an hour; the first success after them says so: the log's last word on an outage must not be its
 * failures. Each user keeps the run with what else it tells (the error, what to do) for its readiness check.
 */
export interface FailureRun {
  /** the first failure's time (Date.now()) */
  since: number;
  failures: number;
}

/** The run with one more failure: a new run at the first. */
export const failedAgain = (run: FailureRun | undefined): FailureRun => ({ since: run?.since ?? Date.now(), failures: (run?.failures ?? 0) + 1 });

/** Whether a run's latest failure is logged: its first, then one in `every` (each when `every` is 1). */
export const saysFailure = (run: FailureRun, every: number): boolean => run.failures % every === 1 % every;

/** When the run's first failure was, as logs and readiness checks write it. */
export const sinceText = (run: FailureRun): string => new Date(run.since).toISOString();

/** Words for the line saying the work succeeds again, and its fields. */
export function after(run: FailureRun): { words: string; fields: { failures: number; since: string } } {
  const since = sinceText(run);
  return { words: `after ${run.failures} failed since ${since}`, fields: { failures: run.failures, since } };
}
