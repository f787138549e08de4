// Indicator sets, format v1: the earlier files still read, validity windows and revocations, hash-only matching,
// TLP:RED never shared, and Ed25519 signatures checked against a trust store (rotation, revocation, tampering).
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IndicatorIndex, loadIndicators } from "../src/indicators/index.js";
import { FORMAT, IndicatorSet, indicatorSetJsonSchema, type IndicatorEntry } from "../src/indicators/schema.js";
import { generateSigningKey, loadTrustStore, signSet, verifySet, type TrustStore } from "../src/indicators/sign.js";
import { hashPlaintext, shareable } from "../src/indicators/privacy.js";
import { ConfigError } from "../src/lib/errors.js";

const T = (s: string) => Date.parse(s);
const set = (entries: Partial<IndicatorEntry>[], over: Partial<IndicatorSet> = {}): IndicatorSet =>
  IndicatorSet.parse({
    format: FORMAT,
    id: "set-a",
    publisher: { id: "member:hotline-a" },
    version: 3,
    created: "2026-03-01T00:00:00Z",
    entries: entries.map((e, i) => ({ id: `e-${i + 1}`, kind: "domain", value: "flagged-a.example", confidence: 80, ...e })),
    ...over,
  });
const index = (...sets: IndicatorSet[]) => {
  const ix = new IndicatorIndex();
  for (const s of sets) ix.add(s);
  return ix;
};
const ids = (refs: readonly { id: string }[]) => refs.map((r) => r.id).sort();
const dir = () => mkdtempSync(join(tmpdir(), "mt-ind-"));

describe("format v1", () => {
  it("reads the engine's earlier files as v1 sets of version 1", () => {
    const d = dir();
    writeFileSync(
      join(d, "old.json"),
      JSON.stringify({ id: "old-set", source: "member:old", created: "2026-01-01T00:00:00Z", entries: [{ id: "x", kind: "domain", value: "old-flagged.example", confidence: 70 }] }),
    );
    const ix = loadIndicators(d);
    expect(ix.sets).toEqual([{ id: "old-set", source: "member:old", version: 1, entries: 1 }]);
    expect(ids(ix.matchUrl("https://www.old-flagged.example/x", T("2026-02-01T00:00:00Z")))).toEqual(["x"]);
  });

  it("honours validFrom and validUntil at the event's time, and never matches a revoked entry", () => {
    const ix = index(
      set([
        { id: "window", value: "window.example", validFrom: "2026-03-10T00:00:00Z", validUntil: "2026-03-20T00:00:00Z" },
        { id: "revoked", value: "revoked.example", revoked: true },
      ]),
    );
    expect(ix.matchUrl("https://window.example/", T("2026-03-09T23:59:59Z"))).toEqual([]);
    expect(ids(ix.matchUrl("https://window.example/", T("2026-03-15T00:00:00Z")))).toEqual(["window"]);
    expect(ix.matchUrl("https://window.example/", T("2026-03-20T00:00:00Z"))).toEqual([]);
    expect(ix.matchUrl("https://revoked.example/", T("2026-03-15T00:00:00Z"))).toEqual([]);
  });

  it("matches a URL seen before against the sets in force now, not those of when it was first seen", () => {
    const url = "https://shop.flagged-b.example/checkout?utm_source=x";
    const at = T("2026-03-02T00:00:00Z");
    const ix = index(set([{ id: "a1" }]));
    expect(ix.matchUrl(url, at)).toEqual([]);
    // a new set in the same index, and a second index beside it: each answers for itself
    ix.add(set([{ id: "b1", value: "flagged-b.example" }], { id: "set-b" }));
    expect(ids(ix.matchUrl(url, at))).toEqual(["b1"]);
    const other = index(set([{ id: "u1", kind: "url", value: "http://shop.flagged-b.example/checkout/" }]));
    expect(ids(other.matchUrl(url, at))).toEqual(["u1"]);
    expect(ids(ix.matchUrl(url, at))).toEqual(["b1"]);
    expect(index().matchUrl(url, at)).toEqual([]);
  });

  it("matches a listed URL whose host is an IPv6 address, with or without a port", () => {
    const at = T("2026-03-02T00:00:00Z");
    const ix = index(
      set([
        { id: "v6", kind: "url", value: "http://[2001:db8::1]/album/" },
        { id: "v6-port", kind: "url", value: "https://[2001:db8::2]:8443/pay" },
      ]),
    );
    expect(ids(ix.matchUrl("http://[2001:DB8::1]/album", at))).toEqual(["v6"]);
    expect(ids(ix.matchUrl("https://[2001:db8::2]:8443/pay?utm_source=x", at))).toEqual(["v6-port"]);
    expect(ix.matchUrl("http://[2001:db8::1]/other", at)).toEqual([]);
  });

  it("refuses a malformed set with the file and the place inside it", () => {
    const d = dir();
    writeFileSync(join(d, "bad.json"), JSON.stringify({ format: FORMAT, id: "s", publisher: { id: "p" }, version: 0, created: "2026-01-01T00:00:00Z", entries: [{ id: "a", kind: "domain", value: "x.example", confidence: 101 }] }));
    expect(() => loadIndicators(d)).toThrow(ConfigError);
    expect(() => loadIndicators(d)).toThrow(/bad\.json.*version[\s\S]*entries\[0\]\.confidence/);
  });

  it("refuses a set holding a value that could never match its kind, naming the entry and why", () => {
    const good = { id: "ok", kind: "domain", value: "flagged-a.example", confidence: 80 };
    const bad = [
      { kind: "url", value: "not a url at all", why: /not an http\(s\) URL \(kind url\)/ },
      { kind: "url", value: "ftp://files.example/a", why: /not an http\(s\) URL/ },
      { kind: "url-sha256", value: "banana", why: /plain text where a hash is required, so it could never match.*\(kind url-sha256\)/ },
      { kind: "email-sha256", value: "alice@mail.example", why: /plain text where a hash is required.*lowercased address/ },
      { kind: "domain", value: "::::", why: /not a domain name/ },
      { kind: "domain", value: "bücher.example", why: /xn-- form/ },
      { kind: "domain", value: "192.0.2.7", why: /IP address is kind ip/ },
      { kind: "ip", value: "192.0.2.0/24", why: /not an IPv4 or IPv6 address \(one address, not a range\)/ },
      { kind: "keyword", value: " - ", why: /no letters or digits/ },
    ];
    for (const b of bad) {
      const d = dir();
      const entries = [good, { id: "bad", kind: b.kind, value: b.value, confidence: 80 }];
      writeFileSync(join(d, "set.json"), JSON.stringify({ format: FORMAT, id: "s", publisher: { id: "p" }, version: 1, created: "2026-01-01T00:00:00Z", entries }));
      expect(() => loadIndicators(d), `${b.kind} ${b.value}`).toThrow(/set\.json[\s\S]*entries\[1\]\.value/);
      expect(() => loadIndicators(d), `${b.kind} ${b.value}`).toThrow(b.why);
    }
    // the same kinds with values that can match are taken, in the earlier file format too
    const d = dir();
    const fine = [
      { id: "u", kind: "url", value: "HTTPS://Shop.Flagged-A.example/x" },
      { id: "h", kind: "url-sha256", value: `sha256:${"A".repeat(64)}` },
      { id: "n", kind: "domain", value: "xn--bcher-kva.example." },
      { id: "i", kind: "ip", value: "2001:db8::7" },
      { id: "k", kind: "keyword", value: "tok-alpha" },
    ].map((e) => ({ ...e, confidence: 80 }));
    writeFileSync(join(d, "old.json"), JSON.stringify({ id: "old", source: "member:old", created: "2026-01-01T00:00:00Z", entries: fine }));
    expect(loadIndicators(d).size).toBe(5);
    writeFileSync(join(d, "old.json"), JSON.stringify({ id: "old", source: "member:old", created: "2026-01-01T00:00:00Z", entries: [...fine, { id: "x", kind: "ip", value: "host.example", confidence: 80 }] }));
    expect(() => loadIndicators(d)).toThrow(/old\.json[\s\S]*entries\[5\]\.value: not an IPv4/);
  });

  it("calls a key left out missing, in a set and in a trust store", () => {
    const d = dir();
    writeFileSync(join(d, "set.json"), JSON.stringify({ format: FORMAT, id: "s", publisher: { id: "p" }, created: "2026-01-01T00:00:00Z", entries: [{ id: "a", kind: "domain", value: "a.example" }] }));
    expect(() => loadIndicators(d)).toThrow(/set\.json[\s\S]*version: missing: this key is required \(number\)[\s\S]*entries\[0\]\.confidence: missing: this key is required \(number\)/);
    const trust = join(d, "trust.json");
    writeFileSync(trust, JSON.stringify({ keys: [{ keyId: "k1", publicKey: "x" }] }));
    expect(() => loadTrustStore(trust)).toThrow(/keys\[0\]\.publisher: missing: this key is required \(string\)/);
  });

  it("names a misspelt kind and a repeated entry id at their place, not the top level", () => {
    const d = dir();
    const write = (entries: object[]) =>
      writeFileSync(join(d, "set.json"), JSON.stringify({ format: FORMAT, id: "s", publisher: { id: "p" }, version: 1, created: "2026-01-01T00:00:00Z", entries }));
    write([{ id: "a", kind: "domain", value: "a.example", confidence: 80 }, { id: "b", kind: "keywrod", value: "tokalpha", confidence: 80 }]);
    expect(() => loadIndicators(d)).toThrow(/entries\[1\]\.kind: .*"keyword"/);
    write([{ id: "a", kind: "domain", value: "a.example", confidence: 80 }, { id: "a", kind: "domain", value: "b.example", confidence: 80 }]);
    expect(() => loadIndicators(d)).toThrow(/entries\[1\]\.id: duplicate id "a" \(also entries\[0\]\)/);
  });

  it("exports a JSON Schema that other tools can build sets against", () => {
    const schema = indicatorSetJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(["format", "id", "publisher", "version", "created", "entries"]));
    expect(Object.keys(schema.properties)).toContain("signature");
  });
});

describe("privacy", () => {
  it("matches from hashed sets exactly as from plaintext, with no plaintext in the hashed set", () => {
    const plain = set([
      { id: "d", kind: "domain", value: "Flagged-A.example" },
      { id: "u", kind: "url", value: "https://WWW.gallery.test:443/p/?b=2&a=1#frag" },
    ]);
    const hashed = hashPlaintext(plain);
    expect(JSON.stringify(hashed)).not.toMatch(/flagged-a|gallery/i);
    expect(hashed.entries.map((e) => e.kind)).toEqual(["domain-sha256", "url-sha256"]);
    const at = T("2026-03-05T00:00:00Z");
    for (const url of ["https://sub.flagged-a.example/x", "http://flagged-a.example", "https://gallery.test/p?a=1&b=2", "https://gallery.test/p", "https://other.example/"])
      expect(ids(index(hashed).matchUrl(url, at)), url).toEqual(ids(index(plain).matchUrl(url, at)));
    expect(ids(index(hashed).matchUrl("https://sub.flagged-a.example/x", at))).toEqual(["d"]);
  });

  it("drops every description from a hashed set: it may name what the hash hides", () => {
    const plain = set([
      { id: "d", kind: "domain", value: "flagged-a.example", description: "MISP event (Org): storefront at flagged-a.example" },
      { id: "k", kind: "keyword", value: "tokalpha", description: "seen on flagged-a.example" },
    ]);
    const hashed = hashPlaintext(plain);
    expect(JSON.stringify(hashed)).not.toMatch(/flagged-a/);
    expect(hashed.entries.map((e) => Object.keys(e).includes("description"))).toEqual([false, false]);
  });

  it("never shares TLP:RED entries", () => {
    const s = set([{ id: "red", tlp: "red" }, { id: "amber", tlp: "amber" }, { id: "none" }]);
    expect(shareable(s).entries.map((e) => e.id)).toEqual(["amber", "none"]);
  });
});

describe("signatures", () => {
  const a = generateSigningKey();
  const b = generateSigningKey();
  const store = (over: Partial<TrustStore["keys"][number]> = {}): TrustStore => ({
    keys: [
      { keyId: "hotline-a-2026", publisher: "member:hotline-a", publicKey: a.publicKeyPem, ...over },
      { keyId: "bank-b-1", publisher: "member:bank-b", publicKey: b.publicKeyPem },
    ],
  });
  const signed = signSet(set([{ id: "d" }]), "hotline-a-2026", a.privateKeyPem);

  it("verifies a set signed by a trusted key of its publisher", () => {
    expect(verifySet(signed, store())).toMatchObject({ ok: true, key: { keyId: "hotline-a-2026" } });
    // the signature survives a round trip through JSON with its keys in another order
    const { entries, signature, ...rest } = signed;
    const reordered = JSON.parse(JSON.stringify({ signature, entries, ...rest }));
    expect(verifySet(IndicatorSet.parse(reordered), store()).ok).toBe(true);
  });

  it("refuses unsigned, unknown-key, wrong-publisher, tampered, revoked and rotated-out sets, each with its reason", () => {
    const reason = (s: IndicatorSet, st = store()) => {
      const v = verifySet(s, st);
      return v.ok ? "ok" : v.reason;
    };
    expect(reason(set([{ id: "d" }]))).toMatch(/not signed/);
    expect(reason(signSet(set([{ id: "d" }]), "someone-else", a.privateKeyPem))).toMatch(/not in the trust store/);
    expect(reason(signSet(set([{ id: "d" }], { publisher: { id: "member:bank-b" } }), "hotline-a-2026", a.privateKeyPem))).toMatch(/belongs to member:hotline-a/);
    expect(reason({ ...signed, entries: [{ ...signed.entries[0]!, confidence: 100 }] })).toMatch(/does not match its content/);
    expect(reason({ ...signed, version: 4 })).toMatch(/does not match its content/);
    expect(reason(signSet(set([{ id: "d" }]), "hotline-a-2026", b.privateKeyPem))).toMatch(/does not match/);
    expect(reason(signed, store({ revoked: { at: "2026-03-02T00:00:00Z", reason: "laptop lost" } }))).toMatch(/revoked.*laptop lost/);
    // rotation: the old key only counts for sets created before its end
    expect(reason(signed, store({ validUntil: "2026-02-01T00:00:00Z" }))).toMatch(/signs only sets created/);
    expect(reason(signed, store({ validUntil: "2026-06-01T00:00:00Z" }))).toBe("ok");
  });

  it("loads only verified sets when given a trust store, naming the file and the reason", () => {
    const d = dir();
    writeFileSync(join(d, "good.json"), JSON.stringify(signed));
    const trust = join(d, "..", `trust-${Date.now()}.json`);
    writeFileSync(trust, JSON.stringify(store()));
    expect(loadIndicators(d, loadTrustStore(trust)).sets).toEqual([{ id: "set-a", source: "member:hotline-a", version: 3, entries: 1, signedBy: "hotline-a-2026" }]);
    writeFileSync(join(d, "unsigned.json"), JSON.stringify(set([{ id: "x" }], { id: "set-b" })));
    expect(() => loadIndicators(d, loadTrustStore(trust))).toThrow(/unsigned\.json: signature: set set-b is not signed/);
    writeFileSync(trust, JSON.stringify({ keys: [{ keyId: "k", publisher: "p", publicKey: "not a key" }] }));
    expect(() => loadTrustStore(trust)).toThrow(/keys\[0\]\.publicKey/);
  });
});
