// `indicators import --from csv` of a JSON or NDJSON file refused it with one error per "column" of its first line
// (`{"kind":"domain"`, `"value":…` each "not a column moneytrail reads"), which says nothing of what the file is. It
// is now one error: the file is JSON (or NDJSON), with the --from that reads it, as --from stix says of a file that
// is not JSON.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-import-csv-json-"));
const importCsv = (file: string) =>
  spawnSync(process.execPath, [...CLI, "indicators", "import", file, "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b"], { encoding: "utf8", timeout: 60_000 });
const OTHERS = "import a STIX 2.1 bundle with --from stix, a MISP feed directory or event with --from misp, the engine's earlier files with --from legacy";

describe("import --from csv of a JSON or NDJSON file", () => {
  it("says an NDJSON file is one JSON value a line, not CSV, in one error", { timeout: 60_000 }, () => {
    const file = join(dir, "entries.ndjson");
    writeFileSync(file, '{"kind":"domain","value":"flagged-shop.example","confidence":85}\n{"kind":"keyword","value":"tokalpha","confidence":70}\n');
    const r = importCsv(file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `error: ${file} is NDJSON (a JSON value a line), not CSV: read as a spreadsheet's CSV export (--from csv), which is a header row naming the columns, then one entry a row; ${OTHERS}\n`,
    );
  });

  it("says a JSON file is JSON, and names the --from of the formats it knows", { timeout: 60_000 }, () => {
    const plain = join(dir, "entries.json");
    writeFileSync(plain, '[\n  {"kind":"domain","value":"flagged-shop.example","confidence":85}\n]\n');
    const r = importCsv(plain);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`error: ${plain} is JSON, not CSV: read as a spreadsheet's CSV export (--from csv), which is a header row naming the columns, then one entry a row; ${OTHERS}\n`);

    const event = join(PACKAGE_ROOT, "fixtures", "misp-feed", "40f531cd-dd5b-56c3-ad97-c32655774acb.json");
    expect(importCsv(event).stderr).toBe(`error: ${event} is a MISP event, not CSV: import it with --from misp\n`);
    const bundle = join(dir, "bundle.json");
    writeFileSync(bundle, '{"type":"bundle","id":"bundle--0f6b2c3e-1d2a-4b5c-8d9e-0a1b2c3d4e5f","objects":[]}');
    expect(importCsv(bundle).stderr).toBe(`error: ${bundle} is a STIX bundle, not CSV: import it with --from stix\n`);
    const set = join(SAMPLE_DIR, "indicators", "coalition-sample.json");
    expect(importCsv(set).stderr).toBe(`error: ${set} is already a moneytrail indicator set (format v1: set coalition-sample-2026-03 of member:hotline-sample): it needs no import; use it as it is\n`);
  });
});
