// The fixture generators: deterministic, schema-valid, synthetic only (reserved names, no card numbers), labels
// for every merchant, and a population stream of the requested size.
import { describe, it, expect } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Event } from "../src/decode/events.js";
import { IndicatorSet } from "../src/indicators/schema.js";
import { loadTrustStore, verifySet } from "../src/indicators/sign.js";
import { Labels, generatePopulation, generateSample, populationIndicators } from "../src/fixtures/generate.js";
import { sampleFiles, SAMPLE_SEED } from "../src/fixtures/write-sample.js";
import { Rng } from "../src/fixtures/random.js";
import { compactKeyword, containsKeyword, normaliseDescriptor } from "../src/lib/descriptor.js";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { unsafe } from "./helpers/repo-safety.js";

const sample = generateSample(SAMPLE_SEED);
const files = sampleFiles(sample);

describe("Rng", () => {
  it("is deterministic and seed-dependent", () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const xs = Array.from({ length: 100 }, () => a.uint32());
    expect(Array.from({ length: 100 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.uint32())).not.toEqual(xs);
  });

  it("keeps its helpers in range", () => {
    const r = new Rng("helpers");
    for (let i = 0; i < 10_000; i++) {
      const n = r.int(3, 7);
      expect(n >= 3 && n <= 7 && Number.isInteger(n)).toBe(true);
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
    }
    expect(r.hex(64)).toMatch(/^[0-9a-f]{64}$/);
    expect(r.hex(7)).toMatch(/^[0-9a-f]{7}$/);
    expect(new Set(Array.from({ length: 200 }, () => r.pick(["a", "b", "c"])))).toEqual(new Set(["a", "b", "c"]));
  });
});

describe("generateSample", () => {
  it("gives byte-identical output for the same seed", () => {
    expect(sampleFiles(generateSample(SAMPLE_SEED))).toEqual(files);
  });

  it("gives different output for a different seed", () => {
    const other = sampleFiles(generateSample(SAMPLE_SEED + 1));
    expect(other["events.ndjson"]).not.toEqual(files["events.ndjson"]);
  });

  it("matches the committed files under fixtures/sample (run src/fixtures/write-sample.ts after changing the generator)", () => {
    for (const [name, text] of Object.entries(files)) {
      const path = join(SAMPLE_DIR, name);
      expect(existsSync(path), `${path} is missing`).toBe(true);
      expect(readFileSync(path, "utf8") === text, `${path} differs from the generator's output`).toBe(true);
    }
  });

  it("stays small enough to commit", () => {
    expect(Buffer.byteLength(files["events.ndjson"]!)).toBeLessThan(3_100_000);
  });

  it("emits only events that pass the contract schema unchanged", () => {
    for (const e of sample.events) expect(Event.parse(e)).toEqual(e);
  });

  it("emits events in time order with unique e-<n> ids and RFC 3339 UTC times", () => {
    const ids = new Set<string>();
    let last = "";
    for (const e of sample.events) {
      expect(e.eventId).toMatch(/^e-\d+$/);
      expect(ids.has(e.eventId)).toBe(false);
      ids.add(e.eventId);
      expect(e.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(e.occurredAt >= last).toBe(true);
      expect(e.occurredAt >= "2026-03-01T00:00:00Z" && e.occurredAt <= "2026-04-30T23:59:59Z").toBe(true);
      last = e.occurredAt;
    }
  });

  it("starts every merchant with its profile and charges back only earlier settled sales of the same merchant", () => {
    const profiled = new Set<string>();
    const sales = new Map<string, { merchantId: string; bin?: string; status: string; at: string }>();
    for (const e of sample.events) {
      if (e.type === "merchant") profiled.add(e.merchantId);
      else expect(profiled.has(e.merchantId), `${e.eventId} before ${e.merchantId}'s profile`).toBe(true);
      if (e.type === "transaction") {
        expect(sales.has(e.transactionId)).toBe(false);
        sales.set(e.transactionId, { merchantId: e.merchantId, bin: e.card?.bin, status: e.status, at: e.occurredAt });
      }
      if (e.type === "chargeback") {
        const tx = sales.get(e.transactionId);
        expect(tx, `${e.eventId} references unknown ${e.transactionId}`).toBeDefined();
        expect(tx!.merchantId).toBe(e.merchantId);
        expect(tx!.status).toBe("settled");
        expect(tx!.at < e.occurredAt).toBe(true);
        expect(e.network).toBe(tx!.bin?.startsWith("4") ? "visa" : "mastercard");
        expect(e.network === "visa" ? ["10.4", "13.1"] : ["4837", "4853"]).toContain(e.reasonCode);
      }
      if (e.type === "transaction" && e.card?.bin) expect(e.card.bin).toMatch(/^[45]\d{5}$/);
    }
  });

  it("has a valid indicator set and labels", () => {
    expect(IndicatorSet.parse(sample.indicators)).toEqual(sample.indicators);
    expect(sample.indicators).toMatchObject({ format: "moneytrail-indicators/1", id: "coalition-sample-2026-03", publisher: { id: "member:hotline-sample" }, created: "2026-02-28T00:00:00Z" });
    expect(new Set(sample.indicators.entries.map((e) => e.id)).size).toBe(sample.indicators.entries.length);
    expect(Labels.parse(sample.labels)).toEqual(sample.labels);
    // the committed file is the generated set, signed by the sample publisher's key in fixtures/sample/trust.json
    const { signature, ...committed } = IndicatorSet.parse(JSON.parse(files["indicators/coalition-sample.json"]!));
    expect(committed).toEqual(sample.indicators);
    expect(verifySet({ ...committed, signature }, loadTrustStore(join(SAMPLE_DIR, "trust.json")))).toMatchObject({ ok: true });
  });

  it("labels every merchant, and only merchants that have events", () => {
    const merchants = new Set(sample.events.map((e) => e.merchantId));
    expect(new Set(Object.keys(sample.labels.merchants))).toEqual(merchants);
    const by = (l: string) => Object.values(sample.labels.merchants).filter((v) => v.label === l);
    expect(by("positive").length).toBeGreaterThanOrEqual(12);
    expect(by("hard-negative").length).toBe(7);
    expect(by("benign").length).toBe(60);
    for (const v of by("positive")) expect(v.typologies.length).toBeGreaterThan(0);
  });

  it("carries card data only as sha256: tokens", () => {
    for (const e of sample.events) if (e.type === "transaction" && e.card?.token) expect(e.card.token).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("obfuscates the listed keyword in a way the normaliser undoes, and keeps the longer word apart", () => {
    const keyword = sample.indicators.entries.find((e) => e.kind === "keyword" && e.value === "tokalpha")!;
    const descriptors = new Map<string, string>();
    for (const e of sample.events) if (e.type === "merchant") descriptors.set(e.merchantId, e.descriptor);
    const labelled = (typology: string) =>
      Object.entries(sample.labels.merchants).find(([, v]) => v.typologies.includes(typology))![0];
    const hit = descriptors.get(labelled("flagged-descriptor"))!;
    expect(hit).not.toMatch(/tokalpha/i);
    expect(containsKeyword(normaliseDescriptor(hit), compactKeyword(keyword.value))).toBe(true);
    const longer = [...descriptors.values()].find((d) => /TOKALPHABET/.test(d))!;
    expect(containsKeyword(normaliseDescriptor(longer), compactKeyword(keyword.value))).toBe(false);
  });
});

describe("generatePopulation", () => {
  const opts = { seed: 3, merchants: 5_000, events: 50_000 };

  it("yields the requested number of valid, time-ordered events with unique ids", () => {
    let n = 0;
    let last = "";
    let checked = 0;
    const types: Record<string, number> = {};
    for (const e of generatePopulation(opts)) {
      n++;
      types[e.type] = (types[e.type] ?? 0) + 1;
      expect(e.eventId).toBe(`e-${n}`);
      expect(e.occurredAt >= last).toBe(true);
      last = e.occurredAt;
      if (n % 5 === 0) {
        Event.parse(e);
        checked++;
      }
    }
    expect(n).toBe(opts.events);
    expect(checked).toBe(10_000);
    // the mix: about 10% profiles, 80% transactions, 5% chargebacks, 5% site observations
    expect(types.merchant! / n).toBeGreaterThan(0.07);
    expect(types.merchant! / n).toBeLessThan(0.15);
    expect(types.transaction! / n).toBeGreaterThan(0.74);
    expect(types.chargeback! / n).toBeGreaterThan(0.03);
    expect(types.site_observation! / n).toBeGreaterThan(0.04);
  });

  it("is deterministic, and another seed gives another stream", () => {
    const take = (seed: number) => {
      const out: string[] = [];
      for (const e of generatePopulation({ ...opts, seed, events: 2_000 })) out.push(JSON.stringify(e));
      return out.join("\n");
    };
    expect(take(3)).toBe(take(3));
    expect(take(4)).not.toBe(take(3));
  });

  it("boards a merchant before its other events and charges back only its own earlier sales", () => {
    const boarded = new Set<string>();
    const sales = new Map<string, string>();
    for (const e of generatePopulation(opts)) {
      if (e.type === "merchant") boarded.add(e.merchantId);
      else expect(boarded.has(e.merchantId)).toBe(true);
      if (e.type === "transaction") sales.set(e.transactionId, e.merchantId);
      if (e.type === "chargeback") expect(sales.get(e.transactionId)).toBe(e.merchantId);
    }
  });

  it("makes typology merchants touch its indicator set, and stays synthetic", () => {
    const set = IndicatorSet.parse(populationIndicators(opts.seed));
    expect(set.entries.length).toBeGreaterThan(200);
    expect(unsafe(JSON.stringify(set))).toEqual([]);
    const domains = new Set(set.entries.filter((e) => e.kind === "domain").map((e) => e.value));
    const keywords = set.entries.filter((e) => e.kind === "keyword").map((e) => compactKeyword(e.value));
    let flaggedLinks = 0;
    let keywordDescriptors = 0;
    let cloaked = 0;
    let tiny = 0;
    let i = 0;
    for (const e of generatePopulation({ ...opts, events: 200_000, merchants: 10_000 })) {
      if (i++ % 10 === 0) {
        expect(unsafe(JSON.stringify(e))).toEqual([]);
      }
      if (e.type === "site_observation") {
        if (e.contentDiffersByReferrer) cloaked++;
        for (const u of e.linkedUrls ?? []) if (domains.has(new URL(u).hostname)) flaggedLinks++;
      }
      if (e.type === "merchant" && keywords.some((k) => containsKeyword(normaliseDescriptor(e.descriptor), k))) keywordDescriptors++;
      if (e.type === "transaction" && e.amountMinor <= 200) tiny++;
    }
    expect(flaggedLinks).toBeGreaterThan(0);
    expect(keywordDescriptors).toBeGreaterThan(0);
    expect(cloaked).toBeGreaterThan(0);
    expect(tiny).toBeGreaterThan(0);
  });
});
