// `indicators export --hash` turns url and domain values into hashes and drops descriptions, but kept each entry's
// id as written: a member who names entries after the site ("flagged-gallery.example-17") sent the site's name in
// plain text beside its hash, to every member. Such an export is now refused, naming the entry by its place (its id
// holds the name), with what to do.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";

const dir = mkdtempSync(join(tmpdir(), "mt-coalition-ids-"));
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
const set = (entries: Parameters<typeof hotlineSet>[0]["entries"]) => JSON.stringify(hotlineSet({ id: "hotline-a-week49", created: "2026-12-06T00:00:00Z", entries }));

describe("export --hash and entry ids", () => {
  it("refuses ids that name the site hashed, in v1 and STIX, and writes nothing", { timeout: 60_000 }, () => {
    writeFileSync(
      join(dir, "named.json"),
      set([
        { id: "a-1", kind: "keyword", value: "tokalpha", confidence: 70 },
        { id: "Flagged-Gallery.example-17", kind: "url", value: "https://www.flagged-gallery.example/album/17", confidence: 80 },
        { id: "shop: flagged-shop.example", kind: "domain", value: "pay.flagged-shop.example", confidence: 80 },
      ]),
    );
    for (const format of ["v1", "stix"]) {
      const r = cli("export", "named.json", "--hash", "--format", format, "--out", `named-${format}.json`);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(
        "error: named.json: entries[1], entries[2]: the entry's id holds the name of the site its value is, which --hash would send in plain text beside the hash: give each an id that names nothing (such as a-17), and keep it from one version to the next; nothing was written\n",
      );
      expect(existsSync(join(dir, `named-${format}.json`))).toBe(false);
    }
  });

  it("exports ids that name nothing, and names as they are without --hash", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "plain.json"), set([{ id: "a-17", kind: "url", value: "https://flagged-gallery.example/album/17", confidence: 80 }]));
    expect(cli("export", "plain.json", "--hash").status).toBe(0);
    expect(cli("export", "named.json").status).toBe(0);
  });
});
