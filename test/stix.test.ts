import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { FORMAT, IndicatorSet, type IndicatorEntry } from "../src/indicators/schema.js";
import {
  importStixBundle,
  MONEYTRAIL_STIX_NAMESPACE,
  parsePattern,
  StixBundleSchema,
  StixImportError,
  stixIndicatorId,
  stixSighting,
  stixString,
  TLP2_EXTENSION_ID,
  TLP2_MARKING_IDS,
  toStixExport,
  validateStixBundle,
  type StixBundle,
} from "../src/indicators/stix.js";
import { NAMESPACE_DNS, uuidv5 } from "../src/lib/uuid.js";
import { sha256Tagged } from "../src/lib/url.js";

const toStixBundle = (...a: Parameters<typeof toStixExport>) => toStixExport(...a).bundle;
const fromStixBundle = (...a: Parameters<typeof importStixBundle>) => importStixBundle(...a).set;

// Synthetic data only: reserved names (.example, .test, .invalid), documentation address ranges, neutral tokens.
const H1 = sha256Tagged("gallery.example/set/1");
const H2 = sha256Tagged("mirror.test");
const H3 = sha256Tagged("seller@tokalpha.example");

function testSet(): IndicatorSet {
  return IndicatorSet.parse({
    format: FORMAT,
    id: "coalition-test",
    publisher: { id: "member:hotline-test", name: "Test hotline (synthetic)" },
    version: 3,
    created: "2026-03-01T00:00:00Z",
    entries: [
      { id: "e-url", kind: "url", value: "https://gallery.example/set/1?b=2&a=1", confidence: 90, tlp: "amber", validUntil: "2026-09-01T00:00:00Z", description: "storefront listing" },
      { id: "e-url-quote", kind: "url", value: "https://quote.example/it's/here", confidence: 80, tlp: "green" },
      { id: "e-url-noscheme", kind: "url", value: "www.noscheme.test/p/7", confidence: 70, tlp: "green" },
      { id: "e-domain", kind: "domain", value: "mirror-host.test", confidence: 85, tlp: "amber+strict", validFrom: "2026-01-15T10:00:00+01:00" },
      { id: "e-url-h", kind: "url-sha256", value: H1, confidence: 90, tlp: "amber" },
      { id: "e-domain-h", kind: "domain-sha256", value: H2, confidence: 88, tlp: "clear" },
      { id: "e-email-h", kind: "email-sha256", value: H3, confidence: 75 },
      { id: "e-ip4", kind: "ip", value: "192.0.2.10", confidence: 60, tlp: "green" },
      { id: "e-ip6", kind: "ip", value: "2001:db8::10", confidence: 60, tlp: "green" },
      { id: "e-keyword", kind: "keyword", value: "tokalpha", confidence: 75, tlp: "amber" },
      { id: "e-merchant", kind: "merchant-id", value: "acq-test:M-1", confidence: 85, tlp: "amber" },
      { id: "e-red", kind: "domain", value: "tokgamma-red-only.invalid", confidence: 95, tlp: "red" },
      { id: "e-revoked", kind: "domain", value: "withdrawn.test", confidence: 70, tlp: "green", revoked: true },
    ],
  });
}

const objectsOf = (b: StixBundle, type: string) => b.objects.filter((o) => o.type === type);
const indicatorsOf = (b: StixBundle) => b.objects.flatMap((o) => (o.type === "indicator" ? [o] : []));
const clone = <T>(v: T): T => structuredClone(v);

describe("UUIDv5", () => {
  it("matches RFC 4122 v5 as other implementations compute it", () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
    expect(uuidv5("python.org", NAMESPACE_DNS)).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, "urn:moneytrail:stix")
    expect(MONEYTRAIL_STIX_NAMESPACE).toBe("6834664c-d140-562c-98ec-d0f8ceeabcfe");
    // Python: uuid.uuid5(that namespace, '["indicator","coalition-test","e-url"]')
    expect(stixIndicatorId("coalition-test", "e-url")).toBe("indicator--a8b82423-49c5-5653-9c24-417e0c6aba95");
  });
});

describe("toStixExport", () => {
  it("produces a bundle that passes validateStixBundle, one indicator per exportable entry", () => {
    const { bundle, skipped } = toStixExport(testSet());
    expect(validateStixBundle(bundle)).toEqual({ ok: true });
    expect(StixBundleSchema.safeParse(bundle).success).toBe(true);
    expect(bundle.type).toBe("bundle");
    expect(bundle.id).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(indicatorsOf(bundle).map((i) => i.x_moneytrail_entry_id)).toEqual(["e-url", "e-url-quote", "e-url-noscheme", "e-domain", "e-url-h", "e-domain-h", "e-email-h", "e-ip4", "e-ip6"]);
    expect(skipped).toEqual([
      { ref: "e-keyword", reason: expect.stringContaining("kind keyword has no STIX form") },
      { ref: "e-merchant", reason: expect.stringContaining("kind merchant-id has no STIX form") },
      { ref: "e-red", reason: "TLP:RED is never exported" },
      { ref: "e-revoked", reason: expect.stringContaining("revoked") },
    ]);
  });

  it("writes each kind's pattern, the publisher identity and the indicator properties", () => {
    const b = toStixBundle(testSet());
    const identity = objectsOf(b, "identity");
    expect(identity).toEqual([
      {
        type: "identity",
        spec_version: "2.1",
        id: "identity--1cf903b8-dcde-5750-a3b3-65f82f7ffddc",
        created: "2026-03-01T00:00:00.000Z",
        modified: "2026-03-01T00:00:00.000Z",
        name: "Test hotline (synthetic)",
        identity_class: "organization",
        x_moneytrail_member_id: "member:hotline-test",
      },
    ]);
    const byEntry = new Map(indicatorsOf(b).map((i) => [i.x_moneytrail_entry_id, i]));
    expect(Object.fromEntries([...byEntry].map(([k, i]) => [k, i.pattern]))).toEqual({
      "e-url": "[url:value = 'https://gallery.example/set/1?b=2&a=1']",
      "e-url-quote": "[url:value = 'https://quote.example/it\\'s/here']",
      "e-url-noscheme": "[url:value = 'http://www.noscheme.test/p/7']",
      "e-domain": "[domain-name:value = 'mirror-host.test']",
      "e-url-h": `[url:x_moneytrail_sha256 = '${H1}']`,
      "e-domain-h": `[domain-name:x_moneytrail_sha256 = '${H2}']`,
      "e-email-h": `[email-addr:x_moneytrail_sha256 = '${H3}']`,
      "e-ip4": "[ipv4-addr:value = '192.0.2.10']",
      "e-ip6": "[ipv6-addr:value = '2001:db8::10']",
    });
    expect(byEntry.get("e-url")).toEqual({
      type: "indicator",
      spec_version: "2.1",
      id: "indicator--a8b82423-49c5-5653-9c24-417e0c6aba95",
      created: "2026-03-01T00:00:00.000Z",
      modified: "2026-03-01T00:00:00.000Z",
      created_by_ref: "identity--1cf903b8-dcde-5750-a3b3-65f82f7ffddc",
      description: "storefront listing",
      indicator_types: ["malicious-activity"],
      pattern: "[url:value = 'https://gallery.example/set/1?b=2&a=1']",
      pattern_type: "stix",
      pattern_version: "2.1",
      valid_from: "2026-03-01T00:00:00.000Z",
      valid_until: "2026-09-01T00:00:00.000Z",
      confidence: 90,
      object_marking_refs: [TLP2_MARKING_IDS.amber],
      x_moneytrail_kind: "url",
      x_moneytrail_entry_id: "e-url",
      x_moneytrail_set_id: "coalition-test",
    });
    // an entry valid from before the release: created is when it started to hold, in UTC with milliseconds
    expect(byEntry.get("e-domain")).toMatchObject({ valid_from: "2026-01-15T09:00:00.000Z", created: "2026-01-15T09:00:00.000Z", modified: "2026-03-01T00:00:00.000Z" });
    // no TLP on the entry: no marking
    expect(byEntry.get("e-email-h")).not.toHaveProperty("object_marking_refs");
  });

  it("includes exactly the official TLP 2.0 marking-definitions in use", () => {
    const markings = objectsOf(toStixBundle(testSet()), "marking-definition");
    expect(markings.map((m) => m.id)).toEqual([TLP2_MARKING_IDS.clear, TLP2_MARKING_IDS.green, TLP2_MARKING_IDS.amber, TLP2_MARKING_IDS["amber+strict"]]);
    expect(markings[3]).toEqual({
      type: "marking-definition",
      spec_version: "2.1",
      id: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
      created: "2022-10-01T00:00:00.000Z",
      name: "TLP:AMBER+STRICT",
      extensions: { "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": { extension_type: "property-extension", tlp_2_0: "amber+strict" } },
    });
  });

  it("never exports TLP:RED by default; only includeRed: true (an internal backup) does", () => {
    const b = toStixBundle(testSet());
    const json = JSON.stringify(b);
    expect(json).not.toContain("tokgamma-red-only");
    expect(json).not.toContain(TLP2_MARKING_IDS.red);
    expect(toStixBundle(testSet(), {})).toSatisfy((x: StixBundle) => !JSON.stringify(x).includes("tokgamma-red-only"));
    expect(toStixBundle(testSet(), { includeRed: false })).toSatisfy((x: StixBundle) => !JSON.stringify(x).includes("tokgamma-red-only"));

    const backup = toStixBundle(testSet(), { includeRed: true });
    expect(validateStixBundle(backup)).toEqual({ ok: true });
    const red = indicatorsOf(backup).find((i) => i.x_moneytrail_entry_id === "e-red");
    expect(red?.object_marking_refs).toEqual([TLP2_MARKING_IDS.red]);
    expect(objectsOf(backup, "marking-definition").map((m) => m.id)).toContain(TLP2_MARKING_IDS.red);
  });

  it("exports revoked entries as revoked indicators only when asked", () => {
    const b = toStixBundle(testSet(), { includeRevoked: true });
    expect(validateStixBundle(b)).toEqual({ ok: true });
    expect(indicatorsOf(b).find((i) => i.x_moneytrail_entry_id === "e-revoked")).toMatchObject({ revoked: true, pattern: "[domain-name:value = 'withdrawn.test']" });
  });

  it("escapes quotes and backslashes in pattern values, and reads them back", () => {
    expect(stixString("it's")).toBe("'it\\'s'");
    expect(stixString("a\\b'c\\'")).toBe("'a\\\\b\\'c\\\\\\''");
    const value = "odd\\name'.test";
    const p = `[domain-name:value = ${stixString(value)}]`;
    expect(parsePattern(p)).toEqual({ ok: true, comparisons: [{ objectType: "domain-name", path: "value", op: "=", value }], joins: [] });
    // an unescaped quote inside the value ends the string early: not a valid pattern
    expect(parsePattern(`[domain-name:value = '${value}']`).ok).toBe(false);
  });

  it("gives the same indicator and identity ids on every export, a new bundle id each time", () => {
    const a = toStixBundle(testSet());
    const b = toStixBundle({ ...testSet(), version: 4, created: "2026-04-01T00:00:00Z" });
    const ids = (x: StixBundle) => x.objects.filter((o) => o.type !== "marking-definition").map((o) => o.id);
    expect(ids(b)).toEqual(ids(a));
    expect(a.id).not.toBe(b.id);
    const other = toStixBundle({ ...testSet(), id: "coalition-other" });
    expect(indicatorsOf(other)[0]!.id).not.toBe(indicatorsOf(a)[0]!.id);
  });
});

describe("set → bundle → set", () => {
  it("gives back the exported entries; what STIX cannot carry is as documented", () => {
    const set = testSet();
    const back = fromStixBundle(toStixBundle(set), { version: set.version });
    expect(back.id).toBe(set.id);
    expect(back.publisher).toEqual(set.publisher);
    expect(back.version).toBe(3);
    expect(Date.parse(back.created)).toBe(Date.parse(set.created));
    expect(back).not.toHaveProperty("signature");

    // documented differences (docs/stix-misp.md): entries STIX cannot carry are left out (keyword, merchant-id,
    // TLP:RED, revoked); validFrom is always present (the set's created when the entry had none); times come back
    // in UTC with milliseconds; a URL written without a scheme comes back with http://
    const expected = set.entries
      .filter((e) => !["keyword", "merchant-id"].includes(e.kind) && e.tlp !== "red" && !e.revoked)
      .map((e): IndicatorEntry => ({
        ...e,
        value: e.id === "e-url-noscheme" ? `http://${e.value}` : e.value,
        validFrom: new Date(e.validFrom ?? set.created).toISOString(),
        ...(e.validUntil && { validUntil: new Date(e.validUntil).toISOString() }),
      }));
    expect(back.entries).toEqual(expected);
  });

  it("carries revocations when exported with includeRevoked", () => {
    const back = fromStixBundle(toStixBundle(testSet(), { includeRevoked: true }));
    expect(back.entries.find((e) => e.id === "e-revoked")).toMatchObject({ revoked: true, value: "withdrawn.test", tlp: "green" });
  });
});

describe("validateStixBundle refuses what breaks the STIX 2.1 rules", () => {
  const good = () => toStixBundle(testSet());
  const firstIndicator = (b: StixBundle) => b.objects.findIndex((o) => o.type === "indicator");
  const broken = (mutate: (ind: Record<string, unknown>, b: { objects: Record<string, unknown>[] }) => void) => {
    const b = clone(good()) as unknown as { objects: Record<string, unknown>[] };
    mutate(b.objects[firstIndicator(good())]!, b);
    return validateStixBundle(b);
  };
  const errorsOf = (r: ReturnType<typeof validateStixBundle>): string => (r.ok ? "(valid)" : r.errors.join("\n"));

  it("a bad id", () => {
    expect(errorsOf(broken((i) => (i.id = "indicator--not-a-uuid")))).toMatch(/objects\[\d+\].*: id: must be "indicator--" and a UUID \(version 4 or 5\)/);
    // a version 1 UUID
    expect(errorsOf(broken((i) => (i.id = "indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8")))).toContain('id: must be "indicator--" and a UUID');
    // the type in the id must be the object's type
    expect(errorsOf(broken((i) => (i.id = "identity--98365092-be8a-4769-8b99-275a36094076")))).toContain('id: must be "indicator--"');
    const b = clone(good());
    (b as { id: string }).id = "bundle--1234";
    expect(errorsOf(validateStixBundle(b))).toContain('bundle: id: must be "bundle--"');
  });

  it("a bad timestamp", () => {
    expect(errorsOf(broken((i) => (i.created = "2026-03-01T00:00:00Z")))).toContain("created: must be a STIX timestamp with milliseconds");
    expect(errorsOf(broken((i) => (i.valid_from = "2026-02-30T00:00:00Z")))).toContain("valid_from: must be a STIX timestamp");
    expect(errorsOf(broken((i) => (i.valid_from = "2026-03-01T00:00:00+01:00")))).toContain("valid_from: must be a STIX timestamp");
    expect(errorsOf(broken((i) => (i.modified = "2025-01-01T00:00:00.000Z")))).toContain("modified is earlier than created");
    expect(errorsOf(broken((i) => (i.valid_until = "2020-01-01T00:00:00Z")))).toContain("valid_until must be later than valid_from");
  });

  it("a bad pattern", () => {
    expect(errorsOf(broken((i) => (i.pattern = "[url:value = 'unterminated]")))).toMatch(/pattern: not a pattern moneytrail accepts: unterminated string/);
    expect(errorsOf(broken((i) => (i.pattern = "url:value = 'x'")))).toContain('pattern: not a pattern moneytrail accepts: a pattern starts with "["');
    expect(errorsOf(broken((i) => (i.pattern = "[url:value = 'a\\x']")))).toContain("invalid escape");
    expect(errorsOf(broken((i) => (i.pattern = "[url:value = 'a'] FOLLOWEDBY [url:value = 'b']")))).toContain("joined by FOLLOWEDBY are not supported (only by OR)");
    // AND / OR of comparisons inside one observation is part of the accepted grammar
    expect(broken((i) => (i.pattern = "[url:value = 'http://a.example/' OR domain-name:value = 'b.example']"))).toEqual({ ok: true });
  });

  it("a dangling created_by_ref or marking ref", () => {
    expect(errorsOf(broken((i) => (i.created_by_ref = "identity--98365092-be8a-4769-8b99-275a36094076")))).toMatch(
      /objects\[\d+\] \(indicator--[0-9a-f-]+\): created_by_ref identity--98365092-be8a-4769-8b99-275a36094076 does not resolve to an object in the bundle/,
    );
    expect(errorsOf(broken((i) => (i.object_marking_refs = [TLP2_MARKING_IDS.red])))).toContain(`object_marking_refs ${TLP2_MARKING_IDS.red} does not resolve`);
    // created_by_ref pointing at an object that is not an identity
    expect(errorsOf(broken((i, b) => (i.created_by_ref = (b.objects.find((o) => o.type === "indicator" && o !== i) as { id: string }).id)))).toContain('must be "identity--"');
  });

  it("a missing required property", () => {
    for (const prop of ["pattern", "valid_from", "created", "modified", "spec_version", "pattern_type"]) {
      expect(errorsOf(broken((i) => delete i[prop]))).toContain(`: ${prop}: `);
    }
    const noName = clone(good()) as unknown as { objects: Record<string, unknown>[] };
    delete noName.objects[0]!.name;
    expect(errorsOf(validateStixBundle(noName))).toMatch(/objects\[0\] \(identity--[0-9a-f-]+\): name: /);
  });

  it("other breakage: spec_version, unknown objects, a forged TLP marking, not a bundle", () => {
    expect(errorsOf(broken((i) => (i.spec_version = "2.0")))).toContain('spec_version must be "2.1"');
    expect(errorsOf(broken((i, b) => b.objects.push({ type: "malware", id: "malware--98365092-be8a-4769-8b99-275a36094076" })))).toContain('type "malware" is not one moneytrail produces');
    expect(errorsOf(broken((i) => (i.x_undeclared = 1)))).toContain("x_undeclared");
    const forged = clone(good()) as unknown as { objects: Record<string, unknown>[] };
    const m = forged.objects.find((o) => o.id === TLP2_MARKING_IDS.amber)!;
    (m.extensions as Record<string, { tlp_2_0: string }>)[TLP2_EXTENSION_ID]!.tlp_2_0 = "green";
    expect(errorsOf(validateStixBundle(forged))).toContain("a TLP 2.0 marking must use the published id and name of TLP:GREEN");
    expect(validateStixBundle({ type: "bundle" }).ok).toBe(false);
    expect(validateStixBundle(null).ok).toBe(false);
  });
});

describe("importing others' bundles", () => {
  const fixture = () => JSON.parse(readFileSync("fixtures/stix/partner-tool-bundle.json", "utf8")) as unknown;

  it("imports the single comparisons and explains what it skipped", () => {
    const { set, skipped } = importStixBundle(fixture(), { setId: "partner-2026-03", version: 2 });
    expect(set.id).toBe("partner-2026-03");
    expect(set.version).toBe(2);
    expect(set.publisher).toEqual({ id: "stix:identity--98365092-be8a-4769-8b99-275a36094076", name: "Example Partner Hotline (synthetic)" });
    expect(set.created).toBe("2026-03-02T09:30:00.000Z");
    const by = new Map(set.entries.map((e) => [e.id, e]));
    expect(by.get("indicator--7ac5b234-7c2b-4f5f-91ab-227b2a25452b")).toEqual({
      id: "indicator--7ac5b234-7c2b-4f5f-91ab-227b2a25452b",
      kind: "url",
      value: "https://gallery-one.example/set/12?page=2",
      confidence: 80,
      tlp: "green",
      validFrom: "2026-03-01T00:00:00Z",
      validUntil: "2026-09-01T00:00:00Z",
    });
    // the later of two versions of one indicator; no confidence → 50
    expect(by.get("indicator--3fb18b96-4c90-4922-81e2-43c774ba64c3")).toMatchObject({ kind: "domain", value: "mirror-host.test", confidence: 50, tlp: "amber", description: "mirror of the storefront (no confidence given)" });
    // TLP 1.0 GREEN marking read as green; no marking → no TLP
    expect(by.get("indicator--48c824b0-e479-494c-bca0-471e5f6a2266")).toMatchObject({ kind: "ip", value: "192.0.2.44", tlp: "green" });
    expect(by.get("indicator--a18d6c18-b607-4442-bf5f-a0a3e59e0d60")).toMatchObject({ kind: "ip", value: "2001:db8::17" });
    expect(by.get("indicator--a18d6c18-b607-4442-bf5f-a0a3e59e0d60")).not.toHaveProperty("tlp");
    // a plaintext address becomes the hash of the trimmed, lowercased address
    expect(by.get("indicator--32046f09-5ea7-436c-adc2-e7c0c672019d")).toMatchObject({
      kind: "email-sha256",
      value: "sha256:2361666441f9f6aa8cd5b780b4b7b278c592e8c94a1db73bde7e38fbf7896134",
    });
    expect(JSON.stringify(set).toLowerCase()).not.toContain("seller.tokalpha");
    expect(by.get("indicator--5af38357-4c53-42c9-b053-83fd7fd8c0da")).toMatchObject({ value: "tokgamma-private.invalid", tlp: "red" });
    expect(by.get("indicator--f0255488-36dc-45f1-a417-9b1e33ad42c1")).toMatchObject({ value: "retracted-lead.test", revoked: true });
    expect(by.get("indicator--2d20fd77-3b7f-418c-98f7-e83ad83f58d8")).toMatchObject({ kind: "url", value: "http://quote.example/it's/here" });
    expect(set.entries).toHaveLength(8);

    expect(skipped).toEqual([
      { ref: "indicator--ff3539a6-8ee4-466f-b03d-71395b50ef20", reason: expect.stringContaining("observation expressions [ … ] joined by AND are not supported (only by OR)") },
      { ref: "indicator--9336fe62-b051-49ed-9af2-117b9f63d526", reason: expect.stringContaining("comparison operator MATCHES is not supported") },
      { ref: "indicator--b195e6ac-c04e-44de-8652-85bd1e79e6cc", reason: "no moneytrail kind for file:hashes.'SHA-256'" },
      { ref: "indicator--afcfc5e6-7fb9-42af-96c8-421ffd19dbfe", reason: "pattern_type sigma is not supported (only stix)" },
    ]);
  });

  it("takes the latest version of an indicator whatever the order of the objects", () => {
    const b = clone(fixture()) as { objects: unknown[] };
    b.objects.reverse();
    const e = fromStixBundle(b).entries.find((x) => x.id === "indicator--3fb18b96-4c90-4922-81e2-43c774ba64c3");
    expect(e).toMatchObject({ confidence: 50, description: "mirror of the storefront (no confidence given)" });
  });

  it("keeps the imported TLP:RED entry at home: re-exporting the imported set leaves it out", () => {
    const set = fromStixBundle(fixture());
    expect(set.id).toBe("stix:bundle--8b02548b-bb84-458f-b33c-1e485fd08759");
    const again = toStixBundle(set);
    expect(validateStixBundle(again)).toEqual({ ok: true });
    expect(JSON.stringify(again)).not.toContain("tokgamma-private");
  });

  it("a comparison joined with AND inside one observation is skipped with its reason (OR: stix-or-patterns.test.ts)", () => {
    const b = clone(fixture()) as { objects: Record<string, unknown>[] };
    b.objects.find((o) => o.id === "indicator--7ac5b234-7c2b-4f5f-91ab-227b2a25452b")!.pattern = "[url:value = 'http://a.example/' AND url:value = 'http://b.example/']";
    const { skipped } = importStixBundle(b);
    expect(skipped[0]).toEqual({
      ref: "indicator--7ac5b234-7c2b-4f5f-91ab-227b2a25452b",
      reason: "pattern has 2 comparisons joined by AND: comparisons that must hold together (AND) map to no entry, only one comparison or alternatives (OR)",
    });
  });

  it("refuses malformed bundles with clear errors", () => {
    const refused = (b: unknown): string => {
      try {
        importStixBundle(b);
      } catch (err) {
        expect(err).toBeInstanceOf(StixImportError);
        return (err as StixImportError).errors.join("\n");
      }
      return "(accepted)";
    };
    expect(refused("not a bundle")).toContain("bundle");
    expect(refused(null)).toContain("bundle");
    expect(refused({ type: "report", id: "bundle--8b02548b-bb84-458f-b33c-1e485fd08759", objects: [] })).toContain('bundle: type: type must be "bundle"');
    expect(refused({ type: "bundle", id: "bundle--8b02548b-bb84-458f-b33c-1e485fd08759" })).toContain("bundle: objects: objects must be a list of STIX objects");
    expect(refused({ type: "bundle", id: "bundle--8b02548b-bb84-458f-b33c-1e485fd08759", spec_version: "2.0", objects: [] })).toContain("STIX 2.0 bundles are not supported");

    const noPattern = clone(fixture()) as { objects: Record<string, unknown>[] };
    delete noPattern.objects[4]!.pattern;
    expect(refused(noPattern)).toMatch(/^objects\[4\] \(indicator--7ac5b234-7c2b-4f5f-91ab-227b2a25452b\): pattern: /m);
    const badTime = clone(fixture()) as { objects: Record<string, unknown>[] };
    badTime.objects[5]!.valid_from = "yesterday";
    expect(refused(badTime)).toContain("objects[5] (indicator--3fb18b96-4c90-4922-81e2-43c774ba64c3): valid_from: must be a STIX timestamp");
    const badConfidence = clone(fixture()) as { objects: Record<string, unknown>[] };
    badConfidence.objects[4]!.confidence = 101;
    expect(refused(badConfidence)).toContain("confidence");
  });

  describe("markings cannot loosen TLP", () => {
    const TLP1_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
    const CUSTOM = "marking-definition--11111111-2222-4333-8444-555555555555";
    const bundle = (markings: object[], indicator: object) => ({
      type: "bundle",
      id: "bundle--6f4b2a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
      objects: [
        ...markings.map((m) => ({ type: "marking-definition", spec_version: "2.1", created: "2026-11-01T00:00:00.000Z", ...m })),
        {
          type: "indicator",
          spec_version: "2.1",
          id: "indicator--0b2f7c1e-3d4a-4b5c-9d6e-7f8091a2b3c4",
          created: "2026-11-01T00:00:00.000Z",
          modified: "2026-11-01T00:00:00.000Z",
          pattern: "[domain-name:value = 'kept-home.example']",
          pattern_type: "stix",
          valid_from: "2026-11-01T00:00:00Z",
          ...indicator,
        },
      ],
    });
    const tlpOf = (b: unknown) => importStixBundle(b).set.entries[0]!.tlp;
    const errorOf = (b: unknown) => {
      try {
        importStixBundle(b);
        return "(accepted)";
      } catch (err) {
        return (err as StixImportError).errors.join("\n");
      }
    };

    it("refuses a bundle that redefines a published TLP 2.0 or 1.0 id with another level", () => {
      const red2AsClear = bundle([{ id: TLP2_MARKING_IDS.red, extensions: { [TLP2_EXTENSION_ID]: { tlp_2_0: "clear" } } }], { object_marking_refs: [TLP2_MARKING_IDS.red] });
      expect(errorOf(red2AsClear)).toBe(
        `objects[0] (${TLP2_MARKING_IDS.red}): redefines the published TLP:RED marking as TLP:CLEAR; the published TLP ids keep their meaning: ask the sender for a bundle that uses them as published`,
      );
      const red1AsWhite = bundle([{ id: TLP1_RED, definition_type: "tlp", definition: { tlp: "white" } }], { object_marking_refs: [TLP1_RED] });
      expect(errorOf(red1AsWhite)).toMatch(/redefines the published TLP:RED marking as TLP:CLEAR/);
      const amberAsStatement = bundle([{ id: TLP2_MARKING_IDS.amber, definition_type: "statement", definition: { statement: "Share freely" } }], { object_marking_refs: [TLP2_MARKING_IDS.amber] });
      expect(errorOf(amberAsStatement)).toMatch(/redefines the published TLP:AMBER marking as a marking that is not TLP;/);
      // the published objects themselves, as moneytrail and OASIS write them, are read as they say
      expect(tlpOf(toStixBundle(testSet()))).toBe("amber");
      expect(tlpOf(bundle([{ id: TLP1_RED, definition_type: "tlp", definition: { tlp: "red" } }], { object_marking_refs: [TLP1_RED] }))).toBe("red");
    });

    it("reads a marking that is not TLP, or one the bundle does not define, as TLP:RED, on the object or on a part of it", () => {
      const statement = { id: CUSTOM, definition_type: "statement", definition: { statement: "Do not share" } };
      expect(tlpOf(bundle([statement], { object_marking_refs: [CUSTOM] }))).toBe("red");
      expect(tlpOf(bundle([statement], { object_marking_refs: [TLP2_MARKING_IDS.clear], granular_markings: [{ marking_ref: CUSTOM, selectors: ["pattern"] }] }))).toBe("red");
      expect(tlpOf(bundle([], { object_marking_refs: [CUSTOM] }))).toBe("red");
      expect(tlpOf(bundle([{ id: CUSTOM, extensions: { [TLP2_EXTENSION_ID]: { tlp_2_0: "purple" } } }], { object_marking_refs: [CUSTOM] }))).toBe("red");
      // a bundle's own TLP marking is read as its level; defined twice, the stricter holds
      const own = (tlp: string) => ({ id: CUSTOM, extensions: { [TLP2_EXTENSION_ID]: { tlp_2_0: tlp } } });
      expect(tlpOf(bundle([own("green")], { object_marking_refs: [CUSTOM] }))).toBe("green");
      expect(tlpOf(bundle([own("amber"), own("clear")], { object_marking_refs: [CUSTOM] }))).toBe("amber");
      // and an entry read as RED never leaves
      const set = importStixBundle(bundle([statement], { object_marking_refs: [CUSTOM] })).set;
      expect(toStixExport(set).bundle.objects.filter((o) => o.type === "indicator")).toEqual([]);
    });
  });
});

describe("stixSighting", () => {
  const input = { setId: "coalition-test", entryId: "e-url", member: { id: "member:bank-b", name: "Bank B (synthetic)" }, disposition: "dismissed" as const, at: "2026-03-10T14:00:00+01:00" };

  it("is a valid bundle: the member's identity, the marking and a sighting of the exported indicator", () => {
    const b = stixSighting(input);
    expect(validateStixBundle(b)).toEqual({ ok: true });
    expect(b.objects.map((o) => o.type)).toEqual(["identity", "marking-definition", "sighting"]);
    const [identity, marking, sighting] = b.objects;
    expect(identity).toMatchObject({ name: "Bank B (synthetic)", identity_class: "organization", x_moneytrail_member_id: "member:bank-b" });
    expect(marking!.id).toBe(TLP2_MARKING_IDS.amber);
    const exported = indicatorsOf(toStixBundle(testSet())).find((i) => i.x_moneytrail_entry_id === "e-url")!;
    expect(sighting).toMatchObject({
      type: "sighting",
      spec_version: "2.1",
      sighting_of_ref: exported.id,
      count: 1,
      first_seen: "2026-03-10T13:00:00.000Z",
      last_seen: "2026-03-10T13:00:00.000Z",
      created: "2026-03-10T13:00:00.000Z",
      where_sighted_refs: [identity!.id],
      created_by_ref: identity!.id,
      object_marking_refs: [TLP2_MARKING_IDS.amber],
      x_moneytrail_disposition: "dismissed",
    });
    expect(sighting!.id).toMatch(/^sighting--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("is deterministic in its sighting id, carries count, disposition and marking (RED for a RED indicator's own publisher), refuses bad input", () => {
    const a = stixSighting({ ...input, disposition: "confirmed", count: 3 });
    const b = stixSighting({ ...input, disposition: "confirmed", count: 3 });
    expect(a.objects[2]!.id).toBe(b.objects[2]!.id);
    expect(a.objects[2]).toMatchObject({ count: 3, x_moneytrail_disposition: "confirmed" });
    expect(stixSighting(input).objects[2]!.id).not.toBe(a.objects[2]!.id);
    expect(stixSighting({ ...input, tlp: "green" }).objects[1]!.id).toBe(TLP2_MARKING_IDS.green);
    expect(stixSighting({ ...input, tlp: "red" }).objects[1]!.id).toBe(TLP2_MARKING_IDS.red);
    expect(() => stixSighting({ ...input, tlp: "black" as "green" })).toThrow();
    expect(() => stixSighting({ ...input, at: "10 March" })).toThrow();
    expect(() => stixSighting({ ...input, disposition: "maybe" as "confirmed" })).toThrow();
  });

  // two cases closed alike in the same millisecond on one entry are two sightings: a partner's tool keeps one per id
  it("tells two decisions apart by their decision id (a case's), keeping the id of one given none", () => {
    const sightingId = (more: { decisionId?: string }) => stixSighting({ ...input, ...more }).objects[2]!.id;
    expect(sightingId({ decisionId: "case-1" })).not.toBe(sightingId({ decisionId: "case-2" }));
    expect(sightingId({ decisionId: "case-1" })).toBe(sightingId({ decisionId: "case-1" }));
    expect(sightingId({})).toBe(sightingId({}));
  });
});
