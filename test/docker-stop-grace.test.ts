// docker/compose.yaml's stop of the consumer: Docker sends SIGKILL 10 s after SIGTERM unless told otherwise, and a
// stop may take longer (the PostgreSQL saves, then up to 5 s for each of two rounds of Kafka steps when the broker
// does not answer): the service is given the 30 s grace period the README's stop is bounded for.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../src/lib/paths.js";

/** A compose duration ("30s", "1m30s", "1m") in seconds. */
function seconds(d: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || d === "") throw new Error(`not a duration of minutes and seconds: ${d}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

describe("docker/compose.yaml's stop of moneytrail run", () => {
  it("gives the consumer at least 30 s between SIGTERM and SIGKILL", () => {
    const compose = parse(readFileSync(join(PACKAGE_ROOT, "docker", "compose.yaml"), "utf8")) as { services: Record<string, { stop_grace_period?: string }> };
    const grace = compose.services.moneytrail?.stop_grace_period;
    expect(grace, "stop_grace_period of the moneytrail service (Docker's default: 10 s)").toBeDefined();
    expect(seconds(grace!)).toBeGreaterThanOrEqual(30);
  });
});
