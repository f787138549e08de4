// `indicators import` reads a STIX bundle by default: a moneytrail set, or a MISP event, given to it was answered with
// the three ways it is no STIX bundle (type, id, objects), which says nothing of what the file is or what to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

  // JSON.parse's "Unexpected token 'k', ..." named neither the file, nor that it was read as a STIX bundle, nor the
  // flag that reads it as what it is
  it("a file that is not JSON (a CSV export, a bundle per line) is named, with the format it was read as and the formats import reads", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-import-not-json-"));
    const csv = join(dir, "member-list.csv");
    writeFileSync(csv, "kind,value,confidence\ndomain,flagged-shop.example,85\n");
    const lines = join(dir, "bundles.json");
    const twoBundles = '{"type":"bundle","id":"bundle--1","objects":[]}\n{"type":"bundle","id":"bundle--2","objects":[]}\n';
    writeFileSync(lines, twoBundles);
    // the parser's own words for the second, which vary with node's version ("at position 48", then its line and column)
    let afterJson = "";
    try {
      JSON.parse(twoBundles);
    } catch (err) {
      afterJson = (err as Error).message;
    }
    expect(afterJson).toMatch(/^Unexpected non-whitespace character after JSON at position 48\b/);
    for (const [file, reason] of [
      [csv, `Unexpected token 'k', "…" is not valid JSON`],
      [lines, afterJson],
    ] as const) {
      const r = importStix(file);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        `error: ${file}: not valid JSON: ${reason}: read as a STIX bundle (--from stix, the default), which is one JSON object; ` +
          "import a spreadsheet's CSV export with --from csv (and --set-id, --publisher), a MISP feed directory or event with --from misp, the engine's earlier files with --from legacy\n",
      );
    }
  });
});
