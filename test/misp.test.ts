import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { confidenceOfTags, importMispFeed, mispSighting, tlpOfTags } from "../src/indicators/misp.js";
import { ConfigError } from "../src/lib/errors.js";
import { sha256Tagged } from "../src/lib/url.js";

const fromMispFeed = (...a: Parameters<typeof importMispFeed>) => importMispFeed(...a).set;

// Synthetic feed (fixtures/misp-feed): reserved names, documentation address ranges, neutral tokens.
const FEED = "fixtures/misp-feed";
const E1 = "40f531cd-dd5b-56c3-ad97-c32655774acb";
const E2 = "a7079cf2-b166-5446-b836-010e6b0b5df2";
const ORG = "62f2f94b-906d-5e2b-9663-036994f9b3dc";
const A = {
  url: "4b16518e-a162-579f-a4ef-9e0c3c268409",
  domain: "a2223b5a-9155-532c-b410-46d7922a0e69",
  hostname: "f714ceef-48dc-5c1f-ad2b-81f62a009f14",
  email: "b6e2b3b5-6319-5d12-af98-cffd968130f9",
  ip: "70a41634-4282-5d9b-bdb8-d456464ec0ca",
  urlContext: "30855796-93af-55dc-8e88-384c8d0d7b7b",
  deleted: "e3d7ccf8-e110-5954-8175-30e284487271",
  link: "149414d7-2b05-5427-9031-967c61dcdd45",
  comment: "4ece85d9-0f1d-50d9-8a2d-81ec42c8ae6d",
  red: "3d264828-a071-5dcf-b5e7-ec9e55ae1165",
  bDomain: "95d9d6a2-c088-57c0-a704-f0a64a156d57",
  bIp6: "33b26326-7f4b-5f12-9ab5-45f27d6cba06",
  bEmail: "f5f3fc13-f1a2-51b2-959e-80b6fc41be9c",
  objDomain: "01cbe09f-578d-5e1c-993f-fbe6dcdac16d",
  objIp: "a1bc62a1-e674-5292-876d-bb803b782828",
};

// a copy of the feed to change, removed after each test
let dir = "";
const copy = (): string => {
  dir = mkdtempSync(join(tmpdir(), "mt-misp-"));
  cpSync(FEED, dir, { recursive: true });
  return dir;
};
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});
const editEvent = (d: string, uuid: string, edit: (ev: { Event: Record<string, unknown> & { Attribute: Record<string, unknown>[] } }) => void): void => {
  const file = join(d, `${uuid}.json`);
  const ev = JSON.parse(readFileSync(file, "utf8"));
  edit(ev);
  writeFileSync(file, JSON.stringify(ev));
};

describe("importMispFeed", () => {
  it("takes the to_ids attributes of every event (and of its objects) with their kinds and values", () => {
    const { set, skipped } = importMispFeed(FEED, { setId: "partner-misp", version: 5 });
    expect(set).toMatchObject({ format: "moneytrail-indicators/1", id: "partner-misp", version: 5, created: "2026-03-05T00:00:00.000Z" });
    const by = new Map(set.entries.map((e) => [e.id, e]));
    expect([...by.keys()].sort()).toEqual([A.url, A.domain, A.hostname, A.email, A.ip, A.deleted, A.red, A.bDomain, A.bIp6, A.bEmail, A.objDomain, A.objIp].sort());
    expect(by.get(A.url)).toMatchObject({ kind: "url", value: "https://storefront-one.example/catalog/7" });
    expect(by.get(A.domain)).toMatchObject({ kind: "domain", value: "storefront-one.example" });
    expect(by.get(A.hostname)).toMatchObject({ kind: "domain", value: "cdn.storefront-one.example" });
    expect(by.get(A.ip)).toMatchObject({ kind: "ip", value: "198.51.100.23" });
    expect(by.get(A.bIp6)).toMatchObject({ kind: "ip", value: "2001:db8::5" });
    expect(by.get(A.objDomain)).toMatchObject({ kind: "domain", value: "objdomain.example" });
    expect(by.get(A.objIp)).toMatchObject({ kind: "ip", value: "192.0.2.99" });
    expect(by.get(A.url)!.description).toBe(`MISP event ${E1} (Example Partner Org (synthetic)): Synthetic storefront cluster (fixture)`);

    expect(skipped).toEqual([
      { ref: A.urlContext, reason: "url: to_ids is false" },
      { ref: A.link, reason: expect.stringMatching(/^link: type link .* is not imported$/) },
      { ref: A.comment, reason: "comment: to_ids is false" },
    ]);
  });

  it("takes wallet addresses (btc, xmr, dash) as wallet entries, and says how to send a domain|ip pair", () => {
    const d = copy();
    const attr = (uuid: string, type: string, value: string) => ({ uuid, type, category: "Financial fraud", to_ids: true, value, timestamp: "1772668800" });
    editEvent(d, E1, (ev) => {
      ev.Event.Attribute.push(
        attr("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a51", "btc", "1SyntheticWalletToken0001"),
        attr("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a52", "xmr", "4SyntheticWalletToken0002"),
        attr("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a53", "btc", "not a wallet"),
        attr("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a54", "domain|ip", "pair.example|192.0.2.7"),
      );
    });
    const { set, skipped } = importMispFeed(d);
    const by = new Map(set.entries.map((e) => [e.id, e]));
    expect(by.get("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a51")).toMatchObject({ kind: "wallet", value: "1SyntheticWalletToken0001" });
    expect(by.get("0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a52")).toMatchObject({ kind: "wallet", value: "4SyntheticWalletToken0002" });
    expect(skipped).toEqual(
      expect.arrayContaining([
        { ref: "0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a53", reason: "btc: not a wallet address (letters and digits)" },
        { ref: "0b6a5f3e-1c2d-5e4f-8a9b-0c1d2e3f4a54", reason: expect.stringMatching(/^domain\|ip: .*two values in one attribute.*domain and ip-dst/) },
      ]),
    );
  });

  it("maps TLP tags of the attribute, else of the event, else amber", () => {
    const by = new Map(fromMispFeed(FEED).entries.map((e) => [e.id, e.tlp]));
    expect(by.get(A.url)).toBe("green"); // event tag tlp:green
    expect(by.get(A.domain)).toBe("amber"); // attribute tag tlp:amber over the event's green
    expect(by.get(A.red)).toBe("red"); // attribute tag tlp:red
    expect(by.get(A.bDomain)).toBe("amber"); // no TLP tag anywhere: the default
    expect(by.get(A.bEmail)).toBe("clear"); // tlp:white is TLP 2.0 CLEAR
    expect(tlpOfTags([{ name: "TLP:Amber+Strict" }])).toBe("amber+strict");
    expect(tlpOfTags([{ name: "tlp:green" }, { name: "tlp:red" }, { name: "tlp:amber" }])).toBe("red");
    expect(tlpOfTags([{ name: "tlp:ex:chr" }, { name: "osint:source-type=\"blog-post\"" }])).toBeUndefined();
  });

  it("reads confidence from confidence-level or admiralty-scale tags, else 70", () => {
    const by = new Map(fromMispFeed(FEED).entries.map((e) => [e.id, e.confidence]));
    expect(by.get(A.url)).toBe(75); // event: misp:confidence-level="usually-confident"
    expect(by.get(A.bDomain)).toBe(90); // event: admiralty-scale:information-credibility="1"
    expect(by.get(A.objIp)).toBe(25); // attribute: misp:confidence-level="rarely-confident"
    expect(confidenceOfTags([{ name: 'admiralty-scale:information-credibility="6"' }])).toBeUndefined();
    expect(confidenceOfTags([{ name: 'admiralty-scale:information-credibility="4"' }])).toBe(30);
    expect(confidenceOfTags([{ name: "tlp:green" }])).toBeUndefined();
  });

  it("never lets an attribute's TLP tag widen its event's: the stricter of the two holds", () => {
    const d = copy();
    editEvent(d, E1, (ev) => {
      ev.Event.Tag = [{ name: "tlp:red" }];
      ev.Event.Attribute.find((a) => a.uuid === A.domain)!.Tag = [{ name: "tlp:clear" }];
    });
    const by = new Map(fromMispFeed(d).entries.map((e) => [e.id, e.tlp]));
    expect(by.get(A.domain)).toBe("red");
    expect(by.get(A.url)).toBe("red");
  });

  it("keeps at home (TLP:RED) what MISP's distribution keeps to the organisation (0) or a sharing group (4)", () => {
    const d = copy();
    editEvent(d, E1, (ev) => (ev.Event.Attribute.find((a) => a.uuid === A.domain)!.distribution = "0"));
    editEvent(d, E2, (ev) => {
      ev.Event.distribution = "3";
      (ev.Event.Object as { distribution?: number }[])[0]!.distribution = 4;
    });
    const by = new Map(fromMispFeed(d).entries.map((e) => [e.id, e.tlp]));
    expect(by.get(A.domain)).toBe("red"); // tlp:amber, organisation only
    expect(by.get(A.url)).toBe("green"); // the same event, no distribution of its own
    expect([by.get(A.objDomain), by.get(A.objIp)]).toEqual(["red", "red"]); // in a sharing group's object
    expect(by.get(A.bEmail)).toBe("clear"); // all communities
    editEvent(d, E2, (ev) => (ev.Event.distribution = "0"));
    expect(fromMispFeed(d).entries.filter((e) => e.tlp === "red").map((e) => e.id).sort()).toEqual([A.domain, A.red, A.bDomain, A.bIp6, A.bEmail, A.objDomain, A.objIp].sort());
    editEvent(d, E2, (ev) => (ev.Event.distribution = "9"));
    expect(() => fromMispFeed(d)).toThrow(/Event\.distribution: must be 0 to 5/);
  });

  it("turns deleted attributes into revoked entries", () => {
    const set = fromMispFeed(FEED);
    expect(set.entries.find((e) => e.id === A.deleted)).toMatchObject({ kind: "domain", value: "old-storefront.test", revoked: true });
    expect(set.entries.filter((e) => e.revoked)).toHaveLength(1);
  });

  it("keeps e-mail addresses only as sha256 of the trimmed, lowercased address", () => {
    const { set, skipped } = importMispFeed(FEED);
    const by = new Map(set.entries.map((e) => [e.id, e]));
    expect(by.get(A.email)).toMatchObject({ kind: "email-sha256", value: sha256Tagged("billing.tokalpha@storefront-one.example") });
    expect(by.get(A.bEmail)).toMatchObject({ kind: "email-sha256", value: sha256Tagged("orders@tokbeta-mirror.test") });
    const json = JSON.stringify({ set, skipped }).toLowerCase();
    expect(json).not.toContain("@");
    expect(json).not.toContain("billing.tokalpha");
    expect(json).not.toContain("orders");
  });

  it("takes the publisher from Orgc and names the set after the directory by default", () => {
    const set = fromMispFeed(FEED);
    expect(set.id).toBe("misp:misp-feed");
    expect(set.publisher).toEqual({ id: `misp-org:${ORG}`, name: "Example Partner Org (synthetic)" });
    expect(fromMispFeed(FEED, { publisher: { id: "member:partner" } }).publisher).toEqual({ id: "member:partner" });
  });
});

describe("importMispFeed refuses a malformed feed, naming the file", () => {
  const refusal = (d: string): ConfigError => {
    try {
      fromMispFeed(d);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error("the feed was accepted");
  };

  it("an event file that is not JSON", () => {
    const d = copy();
    writeFileSync(join(d, `${E2}.json`), "{ not json");
    const err = refusal(d);
    expect(err.file).toBe(join(d, `${E2}.json`));
    expect(err.message).toContain(`${E2}.json: (top level): not valid JSON`);
  });

  it("an attribute with a wrong field, with its place in the file", () => {
    const d = copy();
    editEvent(d, E1, (ev) => (ev.Event.Attribute[2]!.to_ids = "yes"));
    const err = refusal(d);
    expect(err.file).toBe(join(d, `${E1}.json`));
    expect(err.issues.map((i) => i.path)).toContain("Event.Attribute[2].to_ids");
  });

  it("an event without Orgc, an event whose uuid is not its file's", () => {
    const d = copy();
    editEvent(d, E1, (ev) => delete ev.Event.Orgc);
    expect(refusal(d).message).toMatch(new RegExp(`${E1}\\.json: Event\\.Orgc: `));
    editEvent(d, E1, (ev) => {
      ev.Event.Orgc = { name: "x" };
      ev.Event.uuid = E2;
    });
    expect(refusal(d).message).toContain(`${E1}.json: Event.uuid: ${E2} is not the event the manifest lists`);
  });

  it("an event the manifest lists but the directory lacks", () => {
    const d = copy();
    unlinkSync(join(d, `${E1}.json`));
    const err = refusal(d);
    expect(err.file).toBe(join(d, `${E1}.json`));
    expect(err.message).toContain("missing");
  });

  it("a manifest key that is not a UUID (it must never name a path outside the feed)", () => {
    const d = copy();
    const manifest = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8"));
    manifest["../../outside"] = { info: "x" };
    writeFileSync(join(d, "manifest.json"), JSON.stringify(manifest));
    const err = refusal(d);
    expect(err.file).toBe(join(d, "manifest.json"));
    expect(err.message).toContain("manifest keys are event UUIDs");
  });

  it("no manifest at all", () => {
    const d = copy();
    unlinkSync(join(d, "manifest.json"));
    const err = refusal(d);
    expect(err.file).toBe(join(d, "manifest.json"));
    expect(err.message).toContain("missing");
  });
});

describe("mispSighting", () => {
  // the sighting's own id (misp-sighting-format.test.ts has how it is made)
  const OWN_UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  it("confirmed → type 0, dismissed → type 1 (false positive), date_sighting in seconds", () => {
    expect(mispSighting({ attributeUuid: A.domain, value: "storefront-one.example", disposition: "confirmed", source: "member:bank-b", at: "2026-03-01T01:00:00+01:00" })).toEqual({
      Sighting: { uuid: OWN_UUID, attribute_uuid: A.domain, value: "storefront-one.example", type: "0", source: "member:bank-b", date_sighting: "1772323200", timestamp: "1772323200" },
    });
    const fp = mispSighting({ value: "storefront-one.example", disposition: "dismissed", source: "member:bank-b", at: "2026-03-01T00:00:00.900Z" });
    expect(fp).toEqual({ Sighting: { uuid: OWN_UUID, value: "storefront-one.example", type: "1", source: "member:bank-b", date_sighting: "1772323200", timestamp: "1772323200" } });
    expect(fp.Sighting).not.toHaveProperty("attribute_uuid");
  });

  it("names the attribute by its uuid alone when the value is not at hand (an alert's indicator ref carries none)", () => {
    const s = mispSighting({ attributeUuid: A.email, disposition: "dismissed", source: "member:bank-b", at: "2026-03-01T00:00:00Z" });
    expect(s).toEqual({ Sighting: { uuid: OWN_UUID, attribute_uuid: A.email, type: "1", source: "member:bank-b", date_sighting: "1772323200", timestamp: "1772323200" } });
    expect(s.Sighting).not.toHaveProperty("value");
    expect(s.Sighting.uuid).not.toBe(A.email);
    expect(() => mispSighting({ disposition: "confirmed", source: "member:bank-b", at: "2026-03-01T00:00:00Z" })).toThrow(/give attributeUuid or value/);
  });

  it("refuses bad input", () => {
    const ok = { value: "v.example", disposition: "confirmed" as const, source: "member:bank-b", at: "2026-03-01T00:00:00Z" };
    expect(() => mispSighting({ ...ok, at: "March" })).toThrow();
    expect(() => mispSighting({ ...ok, attributeUuid: "../x" })).toThrow();
    expect(() => mispSighting({ ...ok, source: "" })).toThrow();
    expect(() => mispSighting({ ...ok, disposition: "unsure" as "confirmed" })).toThrow();
  });
});
