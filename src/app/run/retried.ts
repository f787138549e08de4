import { after, failedAgain, type FailureRun, saysFailure } from "../../lib/failure-run.js";
import type { Logger } from "../../lib/log.js";

/** A background task's failures in a row (see Retried) are logged at the first, then one in this many. */
export const FAILURES_SAID_EVERY = 60;

/**
 * A task retried in the background about every second while PostgreSQL is away (a checkpoint in turn, a read of the
 * flag notices): a run of its failures is logged at the first and one in FAILURES_SAID_EVERY after, not 3,600 lines
 * an hour, and the first success after them says so, with how many failed since when.
 */
export class Retried {
  private run?: FailureRun;
  constructor(
    private readonly level: "warn" | "error",
    private readonly failedWords: string,
    private readonly againWords: string,
  ) {}

  failed(log: Logger, err: Error): void {
    const r = (this.run = failedAgain(this.run));
    if (saysFailure(r, FAILURES_SAID_EVERY))
      log[this.level]({ err: err.message, ...after(r).fields }, `${this.failedWords} (said again every ${FAILURES_SAID_EVERY} failures, and when it succeeds)`);
  }

  succeeded(log: Logger): void {
    if (!this.run) return;
    const a = after(this.run);
    this.run = undefined;
    log.info(a.fields, `${this.againWords}, ${a.words}`);
  }
}
