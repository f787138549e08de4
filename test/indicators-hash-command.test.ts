// An analyst putting a hashed entry in a set by hand had to hash the canonical form matching uses (lowercased host,
// dot segments removed, the e-mail trimmed and lowercased) without any tool saying what it is: a URL hashed as
// written never matched. `indicators hash` prints the entry's kind and value for each plain value read from stdin.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { IndicatorIndex } from "../src/indicators/index.js";
import { FORMAT, IndicatorSet, type IndicatorKind } from "../src/indicators/schema.js";
import { CLI } from "./helpers/cli.js";

const hash = (kind: string, input: string) => spawnSync(process.execPath, [...CLI, "indicators", "hash", "--kind", kind], { input, encoding: "utf8", timeout: 30_000 });
const indexOf = (line: string) => {
  const [kind, value] = line.trim().split(" ") as [IndicatorKind, string];
  const index = new IndicatorIndex();
  index.add(
    IndicatorSet.parse({
      format: FORMAT,
      id: "hand-made",
      version: 1,
      publisher: { id: "member:test" },
      created: "2026-01-01T00:00:00Z",
      entries: [{ id: "h-1", kind, value, confidence: 90 }],
    }),
  );
  return index;
};
const now = Date.parse("2026-06-01T00:00:00Z");

describe("indicators hash", { timeout: 60_000 }, () => {
  it("hashes a URL and a domain as matching does, so the entry matches the site however it is written", () => {
    const url = hash("url", "https://Gallery.Flagged.example/a/../album/17\n");
    expect(url.status, url.stderr).toBe(0);
    expect(url.stdout).toMatch(/^url-sha256 sha256:[0-9a-f]{64}\n$/);
    expect(indexOf(url.stdout).matchUrl("https://gallery.flagged.example/album/17", now)).toHaveLength(1);
    expect(indexOf(url.stdout).matchUrl("https://gallery.flagged.example/album/18", now)).toHaveLength(0);

    const domain = hash("domain", "Flagged.Example\n");
    expect(domain.stdout).toMatch(/^domain-sha256 sha256:[0-9a-f]{64}\n$/);
    expect(indexOf(domain.stdout).matchUrl("https://shop.flagged.example/x", now)).toHaveLength(1);
  });

  it("hashes an e-mail address trimmed and lowercased, as events' contactEmail carries it", () => {
    const r = hash("email", "  Owner@Shop.Example \n\n");
    expect(r.stdout).toBe(`email-sha256 sha256:${createHash("sha256").update("owner@shop.example").digest("hex")}\n`);
  });

  it("refuses, by line, what no entry of the kind could hold, and prints the others", () => {
    const r = hash("domain", "ok.example\n*.flagged.example\n");
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^domain-sha256 sha256:[0-9a-f]{64}\n$/);
    expect(r.stderr).toMatch(/^line 2: a wildcard.*\nerror: 1 line not hashed \(said above\): correct it and hash again\n$/);
  });
});
