// A member's list lives in a spreadsheet (flagged URLs, domains, keywords, merchant ids, wallets, with confidence and
// expiry); `indicators import` took STIX, MISP and the engine's earlier files only, so the list had to be written
// as format v1 JSON by hand. `--from csv` reads a CSV export of it (a header row naming the columns). TLP 1.0's
// WHITE is read as CLEAR, as the MISP and STIX imports read it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndicatorSet } from "../src/indicators/schema.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-coalition-csv-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const ROWS = [
  "url,https://flagged-gallery.example/album/17,90,amber,2027-06-01,\"album 17, tokalpha\"",
  "domain,flagged-shop.example,85,TLP:GREEN,2027-06-01T00:00:00Z,",
  "keyword,tokalpha,70,TLP:WHITE,,",
  "merchant-id,acq-test:M-1,95,red,,",
  "wallet,bc1qplaceholder0000000000000000000000000,60,amber,2026-11-01,",
];
const HEADER = "Kind,Value,Confidence,TLP,Valid Until,Description";
const imported = (name: string) => IndicatorSet.parse(JSON.parse(readFileSync(join(dir, name), "utf8")));

describe("indicators import --from csv", () => {
  it("makes a v1 set of a spreadsheet's export, with ids that follow the value, not the row", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "list.csv"), `\ufeff${HEADER}\r\n${ROWS.join("\r\n")}\r\n`);
    const r = cli("import", "list.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--set-version", "3", "--out", "set.json");
    expect(r.status, r.stderr).toBe(0);
    const set = imported("set.json");
    expect([set.id, set.publisher.id, set.version]).toEqual(["bank-b-list", "member:bank-b", 3]);
    expect(set.entries.map((e) => [e.kind, e.value, e.confidence, e.tlp, e.validUntil, e.description])).toEqual([
      ["url", "https://flagged-gallery.example/album/17", 90, "amber", "2027-06-01T00:00:00Z", "album 17, tokalpha"],
      ["domain", "flagged-shop.example", 85, "green", "2027-06-01T00:00:00Z", undefined],
      ["keyword", "tokalpha", 70, "clear", undefined, undefined],
      ["merchant-id", "acq-test:M-1", 95, "red", undefined, undefined],
      ["wallet", "bc1qplaceholder0000000000000000000000000", 60, "amber", "2026-11-01T00:00:00Z", undefined],
    ]);
    // the same list in another order, a semicolon export: the same entry ids, so a later version revokes the right one
    writeFileSync(join(dir, "again.csv"), [HEADER, ...ROWS.slice().reverse()].map((l) => l.replaceAll(",", ";").replace("album 17; tokalpha", "album 17, tokalpha")).join("\n"));
    expect(cli("import", "again.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "again.json").status).toBe(0);
    const ids = (s: IndicatorSet) => new Map(s.entries.map((e) => [e.value, e.id]));
    expect(ids(imported("again.json"))).toEqual(ids(set));
  });

  it("refuses a row it cannot read with its line and column, without repeating the value, and writes nothing", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "bad.csv"), `${HEADER}\n${ROWS[0]}\nurl-sha256,flagged-secret.example/hidden,80,amber,,\ndomain,flagged-shop.example,high,amber,,\nkeyword,tokbeta,60,amber,01/06/2027,\n`);
    const r = cli("import", "bad.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "bad.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bad.csv:3:2: Value: plain text where a hash is required");
    expect(r.stderr).toContain("bad.csv:4:3: Confidence: a whole number from 0 to 100");
    expect(r.stderr).toContain("bad.csv:5:5: Valid Until: expected an RFC 3339 time with seconds and Z (or an offset), e.g. 2026-11-01T00:00:00Z, or a day, 2026-11-01 (its start in UTC)");
    expect(r.stderr).not.toContain("flagged-secret");
    expect(() => readFileSync(join(dir, "bad.json"))).toThrow();
  });

  it("asks for the set id and the publisher, which a CSV file does not hold", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "one.csv"), `${HEADER}\n${ROWS[2]}\n`);
    const r = cli("import", "one.csv", "--from", "csv");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: --from csv needs --set-id and --publisher (a CSV file names neither): e.g. --set-id bank-b-list --publisher member:bank-b\n");
  });

  it("refuses a column given twice, which would leave one of them unread", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "twice.csv"), `kind,value,confidence,Valid Until,valid_until\nkeyword,tokalpha,70,2027-06-01,2026-01-01\n`);
    const r = cli("import", "twice.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("twice.csv:1:5: valid_until: the same column as column 4 (Valid Until): keep one");
  });
});
