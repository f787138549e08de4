// An export leaves TLP:RED entries out. The STIX export names each ("not exported: ID: TLP:RED is never exported");
// the v1 export of an unsigned set said nothing, so a member handing a partner its list did not learn that part of it
// stayed home. It now names them alike, by id only.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-export-red-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const set = (entries: object[]) => ({ format: "moneytrail-indicators/1", id: "hotline-a-list", version: 1, publisher: { id: "member:hotline-a" }, created: "2026-12-01T00:00:00Z", entries });

describe("a v1 export of a set with TLP:RED entries", () => {
  it("names each entry left out, by id, as the STIX export does", { timeout: 60_000 }, () => {
    writeFileSync(
      join(dir, "set.json"),
      JSON.stringify(set([
        { id: "a-1", kind: "domain", value: "flagged-gallery.example", confidence: 90, tlp: "green" },
        { id: "a-2", kind: "domain", value: "secret-home.example", confidence: 95, tlp: "red" },
      ])),
    );
    const r = cli("export", "set.json", "--out", "out.json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "out.json"), "utf8")).entries.map((e: { id: string }) => e.id)).toEqual(["a-1"]);
    expect(r.stderr).toContain("not exported: a-2: TLP:RED is never exported\n");
    expect(r.stderr).not.toContain("secret-home");
  });

  it("says nothing of a set without one", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "green.json"), JSON.stringify(set([{ id: "a-1", kind: "domain", value: "flagged-gallery.example", confidence: 90, tlp: "green" }])));
    const r = cli("export", "green.json", "--out", "green-out.json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("not exported");
  });
});
