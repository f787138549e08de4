// A domain entry matches the domain and every name under it, so one that is a public suffix (com, co.uk, github.io)
// or a single label would flag every merchant whose site is under it: such an entry is refused with its place.
import { describe, expect, it } from "vitest";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { zodIssues } from "../src/lib/errors.js";

const set = (value: string) => ({
  format: FORMAT,
  id: "set-a",
  publisher: { id: "member:hotline-a" },
  version: 1,
  created: "2026-03-01T00:00:00Z",
  entries: [{ id: "e-1", kind: "domain", value, confidence: 80 }],
});

describe("domain entries", () => {
  it.each(["com", "co.uk", "www.com", "github.io", "example", "localhost"])("refuses %s, which would match every site under it", (value) => {
    const r = IndicatorSet.safeParse(set(value));
    expect(r.success).toBe(false);
    expect(zodIssues(r.error!)).toEqual([
      {
        path: "entries[0].value",
        message: "a public suffix or a single label (such as com, co.uk or github.io), which would match every site under it: list the site's own domain (kind domain)",
      },
    ]);
  });

  it("takes a site's own domain, and one on a hosting platform's suffix, matching it and its subdomains only", () => {
    const ix = new IndicatorIndex();
    ix.add(IndicatorSet.parse(set("flagged-a.example")));
    ix.add(IndicatorSet.parse({ ...set("flagged-b.github.io"), id: "set-b" }));
    const at = Date.parse("2026-04-01T00:00:00Z");
    expect(ix.matchUrl("https://shop.flagged-a.example/x", at).map((r) => r.set)).toEqual(["set-a"]);
    expect(ix.matchUrl("https://flagged-b.github.io/", at).map((r) => r.set)).toEqual(["set-b"]);
    expect(ix.matchUrl("https://other.github.io/", at)).toEqual([]);
  });

  it("still says what a value that is no domain name is", () => {
    const r = IndicatorSet.safeParse(set("flagged a.example"));
    expect(zodIssues(r.error!)[0]?.message).toMatch(/^not a domain name/);
  });
});
