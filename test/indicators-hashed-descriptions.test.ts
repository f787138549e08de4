// An entry of a hashed kind (url-sha256, email-sha256, …) travels as a hash so that partners never read what it hides;
// its description went out beside it in plain text ("billing address on flagged-gallery.example") with every export
// but --hash, in STIX too, and publish sent it to every member. Such descriptions now stay at home: export leaves
// them out (and says so), and publish refuses a set that still has them.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Tagged } from "../src/lib/url.js";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";

const dir = mkdtempSync(join(tmpdir(), "mt-hashed-desc-"));
const SECRET = "billing address on flagged-gallery.example";
writeFileSync(
  join(dir, "week.json"),
  JSON.stringify(
    hotlineSet({
      id: "hotline-a-week49",
      created: "2026-12-06T00:00:00Z",
      entries: [
        { id: "w-1", kind: "email-sha256", value: sha256Tagged("billing@flagged-gallery.example"), confidence: 80, tlp: "amber", description: SECRET },
        { id: "w-2", kind: "url", value: "https://flagged-gallery.example/album/17", confidence: 85, tlp: "amber", description: "album 17" },
      ],
    }),
  ),
);
const cli = (...args: string[]) => {
  const { KAFKA_BROKERS: _, ...env } = process.env;
  // a publish that goes on to connect is told at once that the broker did not answer
  return spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, env: { ...env, MT_KAFKA_START_WAIT_MS: "0" }, encoding: "utf8", timeout: 60_000 });
};

describe("descriptions of hashed entries", () => {
  it("are left out of a v1 export; a plain entry keeps its own", { timeout: 60_000 }, () => {
    const r = cli("export", "week.json", "--out", "shared.json");
    expect(r.status, r.stderr).toBe(0);
    const shared = JSON.parse(readFileSync(join(dir, "shared.json"), "utf8")) as { entries: { id: string; description?: string }[] };
    expect(shared.entries.map((e) => [e.id, e.description])).toEqual([
      ["w-1", undefined],
      ["w-2", "album 17"],
    ]);
  });

  it("are left out of a STIX export", { timeout: 60_000 }, () => {
    const r = cli("export", "week.json", "--format", "stix");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stdout).toContain("album 17");
  });

  it("stop publish, which says how to share the set", { timeout: 60_000 }, () => {
    // port 1: nothing listens there, and the refusal comes before any connection
    // without its plain url entry, which publish refuses first
    const week = JSON.parse(readFileSync(join(dir, "week.json"), "utf8")) as { entries: { kind: string }[] };
    writeFileSync(join(dir, "week-hashed.json"), JSON.stringify({ ...week, entries: week.entries.filter((e) => e.kind !== "url") }));
    const r = cli("publish", "week-hashed.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "error: week-hashed.json has entries of hashed kinds with a description (w-1), which would travel in plain text beside the hash and may name what it hides: export it (moneytrail indicators export leaves such descriptions out), sign that and publish it\n",
    );
  });
});
