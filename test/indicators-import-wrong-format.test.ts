// `indicators import` reads a STIX bundle by default: a moneytrail set, or a MISP event, given to it was answered with
// the three ways it is no STIX bundle (type, id, objects), which says nothing of what the file is or what to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PACKAGE_ROOT, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const importStix = (file: string) => spawnSync(process.execPath, [...CLI, "indicators", "import", file], { encoding: "utf8", timeout: 60_000 });

describe("import --from stix (the default) of a file in another format", () => {
  it("a moneytrail set is said to need no import", { timeout: 60_000 }, () => {
    const set = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    const r = importStix(set);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${set} is already a moneytrail indicator set (format v1: set coalition-sample-2026-03 of member:hotline-sample): it needs no import; use it as it is\n`);
  });

  it("a MISP event is said to be imported with --from misp", { timeout: 60_000 }, () => {
    const event = join(PACKAGE_ROOT, "fixtures", "misp-feed", "40f531cd-dd5b-56c3-ad97-c32655774acb.json");
    const r = importStix(event);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${event} is a MISP event, not a STIX bundle: import it with --from misp\n`);
  });
});
