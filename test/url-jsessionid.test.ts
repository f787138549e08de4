// A listed page was dodged by a Java session id in its path (/album/17;jsessionid=…, what a servlet container writes
// into links when cookies are off): the canonical form kept it, so neither the url entry nor its url-sha256 matched.
// ;jsessionid= is no part of the canonical form now, in matching and in the indicator tooling alike. Path case and
// "//" stay as written: servers differ on both.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndicatorIndex } from "../src/indicators/index.js";
import { importStixBundle, toStixExport } from "../src/indicators/stix.js";
import { importMispFeed } from "../src/indicators/misp.js";
import { diffSets } from "../src/app/indicators.js";
import { canonicalUrl, sha256Tagged } from "../src/lib/url.js";
import { indicatorSet } from "./helpers/events.js";
import { CLI } from "./helpers/cli.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const index = new IndicatorIndex();
index.add(
  indicatorSet([
    { id: "page", kind: "url", value: "https://listed.example/album/17" },
    { id: "hashed-page", kind: "url-sha256", value: sha256Tagged("hashed.example/album/17") },
    { id: "hashed-with-query", kind: "url-sha256", value: sha256Tagged("hashed.example/view?id=9") },
  ]),
);
const ids = (url: string) => index.matchUrl(url, AT).map((r) => r.id);

describe("a Java session id in the path (;jsessionid=)", () => {
  it.each([
    ["https://listed.example/album/17;jsessionid=A1B2C3D4", "listed.example/album/17"],
    ["https://listed.example/album/17;JSESSIONID=A1B2C3D4/", "listed.example/album/17"],
    ["https://listed.example/album/17;jsessionid=A1B2C3D4?b=2&a=1", "listed.example/album/17?a=1&b=2"],
    ["https://listed.example/album;jsessionid=A1/17", "listed.example/album/17"],
    ["https://listed.example/;jsessionid=A1", "listed.example"],
    ["https://listed.example/album/17;jsessionid=", "listed.example/album/17"],
  ])("is no part of the canonical form: %s", (raw, want) => expect(canonicalUrl(raw)).toBe(want));

  it("is removed alone: other path parameters and an escaped ; stay", () => {
    expect(canonicalUrl("https://listed.example/album/17;jsessionid=A1;v=2")).toBe("listed.example/album/17;v=2");
    expect(canonicalUrl("https://listed.example/album/17;v=2")).toBe("listed.example/album/17;v=2");
    expect(canonicalUrl("https://listed.example/album/17%3Bjsessionid=A1")).toBe("listed.example/album/17%3Bjsessionid=A1");
    expect(canonicalUrl("https://listed.example/album/17;jsessionidx=A1")).toBe("listed.example/album/17;jsessionidx=A1");
  });

  it("does not dodge a listed page, plain or hashed, nor one listed with it", () => {
    expect(ids("https://listed.example/album/17;jsessionid=A1B2C3D4")).toEqual(["page"]);
    expect(ids("https://hashed.example/album/17;jsessionid=A1B2C3D4")).toEqual(["hashed-page"]);
    expect(ids("https://hashed.example/view;jsessionid=A1B2C3D4?id=9")).toEqual(["hashed-with-query"]);
    const listedWithIt = new IndicatorIndex();
    listedWithIt.add(indicatorSet([{ id: "j", kind: "url", value: "https://other.example/p;jsessionid=OLD" }]));
    expect(listedWithIt.matchUrl("https://other.example/p", AT).map((r) => r.id)).toEqual(["j"]);
  });
});

describe("known limits: kept as written", () => {
  it("keeps the path's case and a doubled slash (servers differ on both); the lookup merges slashes (url-doubled-slash.test.ts)", () => {
    expect(canonicalUrl("https://listed.example/Album/17")).toBe("listed.example/Album/17");
    expect(canonicalUrl("https://listed.example/album//17")).toBe("listed.example/album//17");
    expect(ids("https://listed.example/Album/17")).toEqual([]);
    expect(ids("https://listed.example//album/17")).toEqual(["page"]);
  });
});

describe("the indicator tooling agrees", { timeout: 60_000 }, () => {
  it("indicators hash --kind url prints the hash matching uses, without ;jsessionid=", () => {
    const r = spawnSync(process.execPath, [...CLI, "indicators", "hash", "--kind", "url"], { input: "https://Listed.example/album/17;jsessionid=A1B2/\n", encoding: "utf8", timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`url-sha256 ${sha256Tagged("listed.example/album/17")}\n`);
  });

  it("diff sees a ;jsessionid= dropped from a value as no change, and a query added as one", () => {
    const before = indicatorSet([{ id: "a", kind: "url", value: "https://listed.example/album/17;jsessionid=A1" }, { id: "b", kind: "url", value: "https://listed.example/album/18" }]);
    const after = indicatorSet([{ id: "a", kind: "url", value: "https://listed.example/album/17" }, { id: "b", kind: "url", value: "https://listed.example/album/18?id=1" }]);
    expect(diffSets(before, after).changed).toEqual([{ id: "b", fields: ["value"] }]);
  });

  it("STIX and MISP imports keep a URL's value as written", () => {
    const value = "https://listed.example/album/17;jsessionid=A1?ref=x";
    const { bundle } = toStixExport(indicatorSet([{ id: "a", kind: "url", value }]));
    expect(importStixBundle(bundle).set.entries.map((e) => e.value)).toEqual([value]);

    const dir = mkdtempSync(join(tmpdir(), "mt-url-jsessionid-"));
    try {
      const file = join(dir, "event.json");
      cpSync("fixtures/misp-feed/40f531cd-dd5b-56c3-ad97-c32655774acb.json", file);
      const ev = JSON.parse(readFileSync(file, "utf8")) as { Event: { Attribute: { uuid: string; value: string }[] } };
      ev.Event.Attribute.find((a) => a.uuid === "4b16518e-a162-579f-a4ef-9e0c3c268409")!.value = value;
      writeFileSync(file, JSON.stringify(ev));
      expect(importMispFeed(file).set.entries.find((e) => e.kind === "url")!.value).toBe(value);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
