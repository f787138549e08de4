// indicators import --from csv makes an id for a row without one, and `indicators export --hash` refuses an id that
// names the site it hashes. The two did not agree: a made-up id could hold the site's name by accident (the kind's
// prefix "domain-" holds main.example's "main"; the hex of 3c7f.example's hash begins with 3c7f), and export --hash
// then refused an id the member never wrote. A made-up id now never names its site (the id check passes it), the ids
// that did not are the ones made before (so the next version revokes the same entries), and an id in the file that
// names its site is refused at import with its line and column, as are rows with more cells than the header (an
// unquoted delimiter) and a quote never closed. Nothing in a refusal repeats a value or an id.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importCsv } from "../src/indicators/csv.js";
import { idsNamingSites } from "../src/indicators/privacy.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-coalition-csv-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const OPTS = { setId: "bank-b-list", publisher: { id: "member:bank-b" }, now: "2026-12-07T00:00:00Z" };

function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("indicators import --from csv: made-up ids and the id check agree", () => {
  it("a made-up id never names its site, and export --hash takes the import", { timeout: 120_000 }, () => {
    // "main" is in the prefix "domain-"; 3c7f.example's hash begins with 3c7f; a domain named after the kind itself
    const file = csv("naming.csv", "kind,value,confidence,tlp\ndomain,main.example,80,amber\ndomain,3c7f.example,80,amber\ndomain,domain.example,80,amber\nurl,https://main.example/a,80,amber\n");
    const set = importCsv(file, OPTS);
    expect(idsNamingSites(set)).toEqual([]);
    for (const e of set.entries) expect(e.id).not.toContain(e.value.replace(/^https:\/\//, "").split(/[./]/)[0]);
    // the same list again: the same ids, so its next version revokes the same entries
    expect(importCsv(file, OPTS).entries.map((e) => e.id)).toEqual(set.entries.map((e) => e.id));
    const r = cli("import", "naming.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "naming.json");
    expect(r.status, r.stderr).toBe(0);
    const x = cli("export", "naming.json", "--hash", "--out", "naming-hashed.json");
    expect(x.status, x.stderr).toBe(0);
  });

  it("ids that named nothing are the ones made before", () => {
    const file = csv("same.csv", "kind,value,confidence\ndomain,flagged-shop.example,85\nurl,https://flagged-gallery.example/album/17,90\nkeyword,tokalpha,70\n");
    expect(importCsv(file, OPTS).entries.map((e) => e.id)).toEqual(["domain-bca4dd0bb1b8d766", "url-9e46b4e26f6d095a", "keyword-d12f08c12ffa0911"]);
  });

  it("refuses an id in the file that names its site, with the line and column, and takes it at TLP:RED", { timeout: 60_000 }, () => {
    csv("named.csv", "id,kind,value,confidence,tlp\nb-1,domain,flagged-shop.example,85,amber\nflagged-shop-2,url,https://www.flagged-shop.example/a,85,green\nshop-red,domain,shop-red.example,85,red\n");
    const r = cli("import", "named.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "named.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "named.csv:3:1: id: the id holds the name of the site the row lists, and `indicators export --hash` would send it in plain text beside the hash: give an id that names nothing (such as a-17) and keep it from one version to the next, or leave the cell empty for one made from a hash of the kind and value",
    );
    // the TLP:RED row never leaves this member: its id may name the site
    expect(r.stderr).not.toContain("named.csv:4:");
    expect(r.stderr).not.toContain("flagged-shop");
    expect(existsSync(join(dir, "named.json"))).toBe(false);
  });

  it("refuses a row with more cells than the header names, which an unquoted delimiter makes", { timeout: 60_000 }, () => {
    csv("cells.csv", "kind,value,confidence,description\nkeyword,tokalpha,70,seen in a descriptor, twice\nkeyword,tokbeta,60\n");
    const r = cli("import", "cells.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "cells.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "cells.csv:2:5: (cell 5): 5 cells where the header row names 4 columns: a cell holding the delimiter (,) goes in double quotes (\"a, b\"), as a spreadsheet writes it",
    );
    expect(r.stderr).not.toContain("twice");
    expect(r.stderr).not.toContain("cells.csv:3");
  });

  it("refuses a quote never closed, at the line it opens", { timeout: 60_000 }, () => {
    csv("quote.csv", "kind,value,confidence,description\nkeyword,tokalpha,70,\"seen twice\nkeyword,tokbeta,60,\n");
    const r = cli("import", "quote.csv", "--from", "csv", "--set-id", "bank-b-list", "--publisher", "member:bank-b", "--out", "quote.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("quote.csv:2:4: description: a double quote opens this cell and is never closed: the rest of the file would be read as its text; close it, or double a quote inside a cell (\"\")");
    expect(r.stderr).not.toContain("seen twice");
  });
});
