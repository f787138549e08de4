// A listed page was dodged by doubling a slash in its path (/album//17: nginx and Apache merge slashes by default, so
// the link reaches the listed /album/17) or by writing its accented letters decomposed (NFD): the canonical form keeps
// both as written, so neither the url entry nor its url-sha256 matched. The lookup now also tries the page's path with
// its runs of "/" merged and in NFC, only when they differ; the canonical form, and so every set's values and
// hashes, stay as they were. The alert says which form matched; the evidence keeps the URL as seen.
import { beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../src/decode/events.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { summariseEvent } from "../src/state/evidence.js";
import { canonicalUrl, sha256Tagged } from "../src/lib/url.js";
import { crawl, engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "./helpers/events.js";
import { FSL_RULE } from "./helpers/rules.js";
import { CLI } from "./helpers/cli.js";

const AT = Date.parse("2026-03-02T00:00:00Z");
const SET = indicatorSet([
  { id: "page", kind: "url", value: "https://listed.example/album/17" },
  { id: "hashed-page", kind: "url-sha256", value: sha256Tagged("hashed.example/album/17") },
  { id: "with-query", kind: "url", value: "https://board.example/view/x?id=9" },
  { id: "accented", kind: "url", value: "https://listed.example/caf\u00e9/1" },
  { id: "hashed-accented", kind: "url-sha256", value: sha256Tagged(canonicalUrl("https://hashed.example/caf\u00e9")!) },
  { id: "listed-doubled", kind: "url", value: "https://other.example/a//b" },
]);
const index = new IndicatorIndex();
index.add(SET);
const ids = (url: string) => index.matchUrl(url, AT).map((r) => r.id);

beforeEach(() => resetEvents());

describe("a doubled slash in the path", () => {
  it.each([
    ["between segments", "/album//17"],
    ["at the start", "//album/17"],
    ["three of them", "/album///17"],
    ["several runs", "//album//17"],
    ["at the end", "/album/17//"],
  ])("%s does not get past a listed url or url-sha256 entry", (_, path) => {
    expect(ids(`https://listed.example${path}`)).toEqual(["page"]);
    expect(ids(`https://hashed.example${path}`)).toEqual(["hashed-page"]);
  });

  it("nor with a query: the page matched without it, and an entry with a query with that query", () => {
    expect(ids("https://listed.example/album//17?ref=x")).toEqual(["page"]);
    expect(index.matchedWithoutQuery("https://hashed.example//album/17?ref=x", AT).map((r) => r.id)).toEqual(["hashed-page"]);
    expect(ids("https://board.example/view//x?id=9")).toEqual(["with-query"]);
    expect(ids("https://board.example/view//x?id=10")).toEqual([]);
  });

  it("leaves the canonical form, and so the values and hashes in sets, as they were", () => {
    expect(canonicalUrl("https://listed.example/album//17")).toBe("listed.example/album//17");
    expect(canonicalUrl("https://listed.example/album/17//")).toBe("listed.example/album/17/");
  });

  it("matches an entry listed with a doubled slash as written, and its single-slash page not (servers that do not merge serve another)", () => {
    expect(ids("https://other.example/a//b")).toEqual(["listed-doubled"]);
    expect(ids("https://other.example/a///b")).toEqual([]);
    expect(ids("https://other.example/a/b")).toEqual([]);
  });

  it("is a slash, not an escaped one (%2F), and another page stays another page", () => {
    expect(ids("https://listed.example/album/%2F17")).toEqual([]);
    expect(ids("https://listed.example/album//18")).toEqual([]);
    expect(ids("https://listed.example/album//17/x")).toEqual([]);
  });

  it("says which form matched, and nothing for the canonical form", () => {
    expect(index.matchesAt("https://hashed.example/album//17?ref=x", AT).matchedAs).toEqual([
      { ref: expect.objectContaining({ id: "hashed-page" }), form: "hashed.example/album/17", slashes: true, nfc: false },
    ]);
    expect(index.matchesAt("https://listed.example/album/17", AT).matchedAs).toEqual([]);
  });
});

describe("a look-alike host", () => {
  it("with a doubled slash is still drawn like a listed page's host", () => {
    const alike = new IndicatorIndex();
    alike.add(indicatorSet([{ id: "shop-page", kind: "url", value: "https://shop-a.example/album/17" }]));
    // ѕhop-a.example with a Cyrillic ѕ
    for (const url of ["https://xn--hop-a-g2e.example/album/17", "https://xn--hop-a-g2e.example/album//17?ref=x"])
      expect(alike.matchLookAlikes(url, AT)).toEqual([{ ref: expect.objectContaining({ id: "shop-page" }), listed: "shop-a.example" }]);
  });
});

describe("a path written in NFD", () => {
  it("matches the entry written in NFC, plain or hashed, escaped or not, with a doubled slash too", () => {
    expect(ids("https://listed.example/cafe\u0301/1")).toEqual(["accented"]);
    expect(ids("https://listed.example/cafe%cc%81/1")).toEqual(["accented"]);
    expect(ids("https://hashed.example/cafe\u0301")).toEqual(["hashed-accented"]);
    expect(ids("https://listed.example/cafe\u0301//1")).toEqual(["accented"]);
    expect(index.matchesAt("https://listed.example/cafe\u0301//1", AT).matchedAs).toEqual([
      { ref: expect.objectContaining({ id: "accented" }), form: "listed.example/caf%C3%A9/1", slashes: true, nfc: true },
    ]);
  });

  it("leaves escapes that are no UTF-8 as they are", () => {
    expect(ids("https://listed.example/cafe%cc/1")).toEqual([]);
    expect(canonicalUrl("https://listed.example/cafe\u0301/1")).toBe("listed.example/cafe%CC%81/1");
  });
});

describe("the other scheme's default port", () => {
  it("is kept: http to port 443 (or https to 80) reaches no page a browser shows, so no listed page either", () => {
    expect(ids("http://listed.example:443/album/17")).toEqual([]);
    expect(ids("https://listed.example:80/album/17")).toEqual([]);
    expect(ids("https://listed.example:443/album/17")).toEqual(["page"]);
  });
});

describe("flagged-site-link and the evidence", () => {
  const MERGED = "listed.example (a listed page, matched with its path's doubled slashes merged)";
  const HASHED = "hashed.example (a listed page, matched with its path's doubled slashes merged)";

  it.each([
    ["a checkout URL", "page", MERGED, () => tx({ checkout: { url: "https://listed.example/album//17" } })],
    ["a referrer", "hashed-page", HASHED, () => tx({ checkout: { url: "https://shop.example/pay", referrerUrl: "https://hashed.example//album/17" } })],
    ["a crawled link", "page", MERGED, () => crawl({ linkedUrls: ["https://shop.example/about", "https://listed.example/album///17"] })],
    ["a crawled link, hashed", "hashed-page", HASHED, () => crawl({ linkedUrls: ["https://hashed.example/album/17//"] })],
  ])("%s with a doubled slash raises the signal, saying so", (_, id, detail, event) => {
    const engine = engineWith(FSL_RULE, SET);
    const alerts = feed(engine, [merchant(), event()]);
    expect(signalOf(engine, "fsl")).toMatchObject({ indicators: [{ id }], detail });
    expect(alerts.at(-1)!.signals.find((s) => s.rule === "fsl")!.explanation).toContain(`(${detail})`);
  });

  it("says both when a page matched without its query and with its slashes merged, and NFC", () => {
    const engine = engineWith(FSL_RULE, SET);
    feed(engine, [merchant(), tx({ checkout: { url: "https://listed.example/album//17?ref=x" } }), tx({ checkout: { url: "https://listed.example/cafe\u0301/1" } })]);
    expect(signalOf(engine, "fsl")!.detail).toBe(
      "listed.example (a listed page, matched without its query, with its path's doubled slashes merged, with the accents in its path composed (Unicode NFC))",
    );
  });

  it("keeps the URL as seen in the evidence, flagged", () => {
    const seen = "https://listed.example/album//17";
    const t = tx({ checkout: { url: "https://shop.example/pay", referrerUrl: seen } });
    expect(summariseEvent(t, index, AT).flagged).toEqual([{ url: seen }]);
  });
});

describe("moneytrail replay", () => {
  it("alerts on a checkout URL with a doubled slash under a listed page, end to end", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-doubled-slash-"));
    mkdirSync(join(dir, "sets"));
    writeFileSync(join(dir, "sets", "set.json"), JSON.stringify(SET));
    const seen = "https://listed.example/album//17";
    writeFileSync(join(dir, "events.ndjson"), [merchant(), tx({ checkout: { url: seen } })].map((e) => JSON.stringify(e)).join("\n") + "\n");
    const r = spawnSync(
      process.execPath,
      [...CLI, "replay", "--events", join(dir, "events.ndjson"), "--out", join(dir, "alerts.ndjson"), "--indicators", join(dir, "sets"), "--no-progress"],
      { encoding: "utf8", timeout: 50_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const alerts = readFileSync(join(dir, "alerts.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Alert);
    expect(alerts).toHaveLength(1);
    const signal = alerts[0]!.signals.find((s) => s.rule === "flagged-site-link")!;
    expect(signal.explanation).toContain("listed.example (a listed page, matched with its path's doubled slashes merged)");
    expect(signal.evidence.indicators).toEqual([expect.objectContaining({ id: "page" })]);
    expect(alerts[0]!.context!.events.find((e) => e.type === "transaction")).toMatchObject({ checkoutUrl: seen, flagged: [{ url: seen }] });
  });
});
