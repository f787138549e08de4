// A wildcard (*.flagged.example), as blocklists and partners' tools write a domain and its subdomains, or a name with an
// empty label, was taken as a domain or URL entry and matched nothing: no site's host holds a *, so the analyst saw
// the entry listed (stats, export, verify ok) while merchants linking to the site were never flagged. Such an entry is
// refused with what to list instead; imports leave it out saying why.
import { describe, expect, it } from "vitest";
import { FORMAT, IndicatorSet } from "../src/indicators/schema.js";
import { IndicatorIndex } from "../src/indicators/index.js";
import { zodIssues } from "../src/lib/errors.js";
import { importStixBundle } from "../src/indicators/stix.js";

const set = (kind: string, value: string) => ({
  format: FORMAT,
  id: "set-a",
  publisher: { id: "member:hotline-a" },
  version: 1,
  created: "2026-12-01T00:00:00Z",
  entries: [{ id: "e-1", kind, value, confidence: 80 }],
});
const issues = (kind: string, value: string) => {
  const r = IndicatorSet.safeParse(set(kind, value));
  return r.success ? [] : zodIssues(r.error);
};
const WILDCARD =
  "a wildcard, which no site's name holds, so it would match nothing: list the domain under the * as kind domain, which matches it and every name under it (kind domain)";

describe("hosts that no site has", () => {
  it("refuses a wildcard domain, saying what to list", () => {
    expect(issues("domain", "*.flagged-a.example")).toEqual([{ path: "entries[0].value", message: WILDCARD }]);
  });

  it("refuses a URL on a wildcard host", () => {
    expect(issues("url", "https://*.flagged-a.example/album/17")).toEqual([
      {
        path: "entries[0].value",
        message:
          "a URL whose host is a wildcard, which no site's name holds, so it would match nothing: list the domain under the * as kind domain, which matches it and every name under it (kind url)",
      },
    ]);
  });

  it.each(["flagged-a..example", "flag*ged-a.example", "flagged-a.example!"])("refuses %s, which is no host name", (value) => {
    expect(issues("domain", value)[0]?.message).toMatch(/^not a domain name/);
  });

  it("refuses a URL whose host has an empty label", () => {
    expect(issues("url", "https://flagged-a..example/album/17")[0]?.message).toMatch(/^a URL whose host is no name a site may have/);
  });

  it("takes the domain under the wildcard, which matches its subdomains", () => {
    const ix = new IndicatorIndex();
    ix.add(IndicatorSet.parse(set("domain", "flagged-a.example")));
    ix.add(IndicatorSet.parse({ ...set("domain", "_dmarc.other-b.example"), id: "set-b" }));
    expect(ix.matchUrl("https://cdn.flagged-a.example/x", Date.parse("2026-12-06T00:00:00Z")).map((r) => r.id)).toEqual(["e-1"]);
  });

  it("a STIX import leaves a wildcard domain out, saying why", () => {
    const { set: imported, skipped } = importStixBundle({
      type: "bundle",
      id: "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
      objects: [
        {
          type: "indicator",
          spec_version: "2.1",
          id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
          created: "2026-12-01T00:00:00.000Z",
          modified: "2026-12-01T00:00:00.000Z",
          pattern: "[domain-name:value = '*.flagged-a.example']",
          pattern_type: "stix",
          valid_from: "2026-12-01T00:00:00Z",
        },
      ],
    });
    expect(imported.entries).toEqual([]);
    expect(skipped).toEqual([{ ref: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", reason: `not a valid entry: value: ${WILDCARD}` }]);
  });
});
