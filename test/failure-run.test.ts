import { describe, expect, it } from "vitest";
import { after, failedAgain, saysFailure } from "../src/lib/failure-run.js";

describe("a run of failures retried in the background", () => {
  it("keeps its first failure's time, counts, and is said at the first and one in `every` after", () => {
    let run = failedAgain(undefined);
    const since = run.since;
    const said = [saysFailure(run, 60)];
    for (let i = 2; i <= 121; i++) {
      run = failedAgain(run);
      said.push(saysFailure(run, 60));
    }
    expect(run).toEqual({ since, failures: 121 });
    expect(said.flatMap((s, i) => (s ? [i + 1] : []))).toEqual([1, 61, 121]);
    expect([1, 2, 3].every((failures) => saysFailure({ since, failures }, 1))).toBe(true);
  });

  it("says how many failed since when", () => {
    const a = after({ since: Date.UTC(2026, 11, 6, 12), failures: 7 });
    expect(a.words).toBe("after 7 failed since 2026-12-06T12:00:00.000Z");
    expect(a.fields).toEqual({ failures: 7, since: "2026-12-06T12:00:00.000Z" });
  });
});
