// `indicators import --from misp` dropped the partner's sightings (the Sighting objects MISP lists on an attribute):
// a member could not tell an attribute three organisations saw from one a partner reported as a false positive. They
// are now summed onto the entry made of the attribute (IndicatorEntry.sightings: seen, false positive, expired,
// organisations, last seen), named in the import's summary, and shown by `indicators stats`; matching and confidence
// are unchanged. The fixture is synthetic (fixtures/misp-sightings/event.json: reserved names, documentation IPs).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importMispFeed, mispSighting, MISP_DEFAULT_CONFIDENCE } from "../src/indicators/misp.js";
import { IndicatorSet } from "../src/indicators/schema.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const EVENT = join(PACKAGE_ROOT, "fixtures", "misp-sightings", "event.json");
const URL_ATTR = "4716bda4-0572-5990-a119-2643692df25a";
const DOMAIN_ATTR = "a4fee298-5098-5845-90d9-dd2c29b8f600";
const IP_ATTR = "112e0d4d-7b09-501e-80c4-72d022eabd67";
const OBJECT_ATTR = "12c22866-08f1-537a-a125-787e33652017";
const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", ...args], { encoding: "utf8", timeout: 60_000 });

describe("a MISP event's sightings, imported --from misp", () => {
  const { set, skipped, sightings } = importMispFeed(EVENT);
  const entry = (id: string) => set.entries.find((e) => e.id === id);

  it("are summed onto the entry of each sighted attribute, by type, organisation and latest time", () => {
    // three seen (two reports by one organisation), one false positive by a third
    expect(entry(URL_ATTR)?.sightings).toEqual({ seen: 3, falsePositive: 1, expired: 0, organisations: 3, lastSeen: "2026-03-05T10:00:00.000Z" });
    // an expiration sighting, and an anonymous one (org_id "0", no Organisation): counted, naming no organisation
    expect(entry(DOMAIN_ATTR)?.sightings).toEqual({ seen: 1, falsePositive: 0, expired: 1, organisations: 1, lastSeen: "2026-03-06T00:00:00.000Z" });
    // inside an object, type and date_sighting as numbers
    expect(entry(OBJECT_ATTR)?.sightings).toEqual({ seen: 1, falsePositive: 0, expired: 0, organisations: 1, lastSeen: "2026-03-07T00:00:00.000Z" });
  });

  it("leave the entry's confidence as its publisher gave it", () => {
    expect(entry(URL_ATTR)?.confidence).toBe(MISP_DEFAULT_CONFIDENCE);
  });

  it("list a sighting that cannot be read as not imported, and still import its attribute", () => {
    expect(entry(IP_ATTR)).toBeDefined();
    expect(entry(IP_ATTR)?.sightings).toBeUndefined();
    expect(skipped).toContainEqual({ ref: `${IP_ATTR} Sighting[0]`, reason: "sighting not read: type: must be 0 (seen), 1 (false positive) or 2 (expired)" });
  });

  it("are summed for the import's summary, those of attributes not imported counted apart", () => {
    expect(sightings).toEqual({ total: 7, seen: 5, falsePositive: 1, expired: 1, organisations: 3, entries: 3, notKept: 1 });
  });

  it("make a set that loads as format v1, and a count below 0 is refused there", () => {
    expect(IndicatorSet.safeParse(set).success).toBe(true);
    const bad = { ...set, entries: [{ ...entry(URL_ATTR)!, sightings: { ...entry(URL_ATTR)!.sightings!, seen: -1 } }] };
    expect(IndicatorSet.safeParse(bad).error?.issues[0]?.path).toEqual(["entries", 0, "sightings", "seen"]);
  });

  it("on the command line, are named in the summary and shown by indicators stats", { timeout: 120_000 }, () => {
    const out = join(mkdtempSync(join(tmpdir(), "mt-misp-sightings-")), "partner.json");
    const r = cli("import", EVENT, "--from", "misp", "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "note: read 7 sightings from 3 organisations (5 seen, 1 false positive, 1 expired) on 3 entries, kept as each entry's sightings (shown by indicators stats; matching and confidence are unchanged); 1 sighting of attributes not imported, not kept\n",
    );
    const stats = cli("stats", out);
    expect(stats.status, stats.stderr).toBe(0);
    expect((JSON.parse(stats.stdout) as { sightings: unknown }[])[0]!.sightings).toEqual({ entries: 3, seen: 5, falsePositive: 1, expired: 1, reportedFalsePositive: [URL_ATTR] });
  });

  it("an event without sightings imports without a sightings note or field", { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-misp-plain-"));
    const ev = JSON.parse(readFileSync(EVENT, "utf8")) as { Event: { Attribute: { Sighting?: unknown }[]; Object: unknown[] } };
    for (const a of ev.Event.Attribute) delete a.Sighting;
    ev.Event.Object = [];
    writeFileSync(join(dir, "plain.json"), JSON.stringify(ev));
    const r = cli("import", join(dir, "plain.json"), "--from", "misp", "--out", join(dir, "out.json"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/sighting/i);
    expect((JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as IndicatorSet).entries.every((e) => e.sightings === undefined)).toBe(true);
  });
});

describe("MISP sighting JSON given to --from misp", () => {
  it("is named as a report on attributes, not an event, with where it goes", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-misp-report-")), "case-7-sightings.misp.json");
    writeFileSync(file, JSON.stringify([mispSighting({ attributeUuid: URL_ATTR, disposition: "dismissed", source: "member:bank-b", at: "2026-12-03T10:00:00Z" })]));
    expect(() => importMispFeed(file)).toThrow(
      `${file} is MISP sighting JSON (1 sighting, as a case's sightings export writes them), not an event: it reports on attributes and holds none to import; post each sighting to MISP's /sightings/add/<attribute_uuid>. --from misp reads sightings on an event's attributes`,
    );
  });
});
