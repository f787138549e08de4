// A newcomer's first replay of a file that is not events (an indicator set, a JSON array, a CSV export) ended with
// "145 lines: 0 events processed, 145 rejected" and exit 0, as if a few lines were bad: it now says that no line was an
// event, and what replay reads.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-replay-no-event-"));
const replay = (events: string) =>
  spawnSync(process.execPath, [...CLI, "replay", "--events", events, "--out", join(dir, "alerts.ndjson"), "--no-progress"], { encoding: "utf8", timeout: 60_000 });

describe("replay of a file with no event in it", () => {
  it("says no line was an event and what replay reads; a file with some events does not", { timeout: 60_000 }, () => {
    const notEvents = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    const r = replay(notEvents);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `note: no line of ${notEvents} is an event: replay reads NDJSON, one contract event (merchant, transaction, chargeback, site_observation) per line, as fixtures/sample/events.ndjson; each line's reason is in ${join(dir, "alerts.rejects.ndjson")}\n`,
    );
    const some = join(dir, "some.ndjson");
    writeFileSync(some, `${readFileSync(join(SAMPLE_DIR, "events.ndjson"), "utf8").split("\n")[0]}\nnot json\n`);
    const partly = replay(some);
    expect(partly.stderr).toContain("2 lines: 1 events processed, 1 rejected");
    expect(partly.stderr).not.toContain("note:");
  });
});
