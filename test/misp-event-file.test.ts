// A partner's MISP event as MISP exports it (the event page's "Download as MISP JSON": one {"Event": …} file) was
// refused by --from misp, which took only a feed directory (manifest.json and one <uuid>.json per event): the analyst
// had to build a feed by hand. One event's file imports as its feed would, under the event's uuid.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importMispFeed } from "../src/indicators/misp.js";
import { PACKAGE_ROOT } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const FEED = join(PACKAGE_ROOT, "fixtures", "misp-feed");
const E1 = "40f531cd-dd5b-56c3-ad97-c32655774acb";
const ORG = "62f2f94b-906d-5e2b-9663-036994f9b3dc";
const EVENT = join(FEED, `${E1}.json`);

describe("a MISP event's own export, imported --from misp", () => {
  it("gives the entries the feed gives for that event, as a set named after the event", () => {
    const { set, skipped } = importMispFeed(EVENT);
    const fromFeed = importMispFeed(FEED);
    const ofEvent = (d?: string) => d?.startsWith(`MISP event ${E1} `);
    expect(set.entries).toEqual(fromFeed.set.entries.filter((e) => ofEvent(e.description)));
    expect(set.entries.length).toBeGreaterThan(0);
    expect(set).toMatchObject({ id: `misp:${E1}`, version: 1, publisher: { id: `misp-org:${ORG}`, name: "Example Partner Org (synthetic)" }, created: "2026-03-01T00:00:00.000Z" });
    const eventAttributes = new Set((JSON.parse(readFileSync(EVENT, "utf8")) as { Event: { Attribute: { uuid: string }[] } }).Event.Attribute.map((a) => a.uuid));
    expect(skipped).toEqual(fromFeed.skipped.filter((s) => eventAttributes.has(s.ref)));
    expect(importMispFeed(EVENT, { setId: "partner-event", version: 4 }).set).toMatchObject({ id: "partner-event", version: 4 });
  });

  it("on the command line, writes the set", { timeout: 60_000 }, () => {
    const out = join(mkdtempSync(join(tmpdir(), "mt-misp-event-")), "partner.json");
    const r = spawnSync(process.execPath, [...CLI, "indicators", "import", EVENT, "--from", "misp", "--out", out], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ format: "moneytrail-indicators/1", id: `misp:${E1}` });
  });

  it("refuses a file that is no MISP event, saying what --from misp takes", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-misp-event-")), "bundle.json");
    writeFileSync(file, JSON.stringify({ type: "bundle", id: "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", objects: [] }));
    expect(() => importMispFeed(file)).toThrow(
      `${file} is not a MISP event (no "Event" object): --from misp takes one event's JSON export ({"Event": …}) or a MISP feed directory (manifest.json and one <uuid>.json per event); a STIX bundle file is imported with --from stix`,
    );
  });
});
