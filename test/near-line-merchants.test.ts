// generatePopulation's near-the-line benign merchants (nearLineShare): honest businesses each just short of a rule of
// the default pack, labelled benign with their kind. The option must leave the default stream as it was, and each
// kind must stay where its note says it is: measured here from the events, against the pack's own thresholds, so a
// generator change that pushes a kind over its line (or a pack change that moves the line) fails here.
import { describe, it, expect, beforeAll } from "vitest";
import { createHash } from "node:crypto";
import { generatePopulation, NEAR_LINE_KINDS, nearLineKind, type Labels, type NearLineKind, type PopulationOptions } from "../src/fixtures/generate.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { registrableDomain, urlHost } from "../src/lib/url.js";
import type { Event, TransactionEvent } from "../src/decode/events.js";

const pack = loadRuleSet(DEFAULT_RULES);
const params = <T>(id: string): T => pack.byId.get(id)!.params as T;
type Level = { ratio: number; minCount: number };
const early = params<{ levels: Level[] }>("early-warning-disputes").levels[0]!;
const subscription = params<{ minMinor: number; maxMinor: number; threshold: number; minSales: number }>("subscription-pattern");
const crossBorder = params<{ threshold: number; minTransactions: number }>("cross-border");
const referrers = params<{ threshold: number; topDomains: number; concentration: number; allowReferrers: string[] }>("undisclosed-referrers");
const churn = params<{ distinct: number; withinDays: number }>("descriptor-churn");
const testing = params<{ maxMinor: number; minCount: number; minDistinctCards: number; withinMinutes: number }>("card-testing");
const highRisk = new Set(pack.settings.highRiskMccs);

const opts: PopulationOptions = { seed: 5, merchants: 3_000, events: 30_000 };
const DAY = 86_400_000;

let labels: Labels["merchants"];
let events: Event[];
const byMerchant = new Map<string, Event[]>();
beforeAll(() => {
  labels = {};
  events = [...generatePopulation({ ...opts, nearLineShare: 0.08, labels })];
  for (const e of events) byMerchant.set(e.merchantId, [...(byMerchant.get(e.merchantId) ?? []), e]);
}, 60_000);

const ofKind = (kind: NearLineKind): Event[][] =>
  Object.entries(labels)
    .filter(([, l]) => nearLineKind(l) === kind)
    .map(([m]) => byMerchant.get(m)!);
const sales = (es: Event[]) => es.filter((e): e is TransactionEvent => e.type === "transaction");
const settledCnp = (es: Event[]) => sales(es).filter((e) => e.status === "settled" && e.channel !== "pos");
const disputes = (es: Event[]) => es.filter((e) => e.type === "chargeback");
const inMarch = (e: Event) => e.occurredAt < "2026-04-01";
/** the early-warning window's measure over the two months: disputes and fraud reports over settled card-not-present sales */
const disputeRatio = (es: Event[]) => disputes(es).length / settledCnp(es).length;
const mccOf = (es: Event[]) => (es[0] as Extract<Event, { type: "merchant" }>).mcc;

describe("generatePopulation nearLineShare", () => {
  it("adds merchants of every near-the-line kind, labelled benign with their kind, and leaves the population's events as they were", () => {
    const hash = (es: Iterable<Event>) => createHash("sha256").update([...es].map((e) => JSON.stringify(e)).join("\n")).digest("hex");
    const plain = hash(generatePopulation(opts));
    expect(hash(generatePopulation({ ...opts, nearLineShare: 0 })), "nearLineShare 0 changed the stream").toBe(plain);
    const near = new Set(Object.entries(labels).filter(([, l]) => nearLineKind(l)).map(([m]) => m));
    expect(near.size).toBe(Math.round(opts.merchants * 0.08));
    expect(hash(events.filter((e) => !near.has(e.merchantId))), "the population's own events changed").toBe(plain);

    for (const kind of Object.keys(NEAR_LINE_KINDS) as NearLineKind[]) {
      const ms = Object.values(labels).filter((l) => nearLineKind(l) === kind);
      expect(ms.length, kind).toBeGreaterThan(20);
      for (const l of ms) expect(l).toEqual({ label: "benign", typologies: [], note: `near the line (${kind}): ${NEAR_LINE_KINDS[kind]}` });
    }
    // every labelled merchant is in the stream, boarded with its profile first, and the stream is in time order
    expect(new Set(events.map((e) => e.merchantId))).toEqual(new Set(Object.keys(labels)));
    for (const m of near) expect(byMerchant.get(m)![0]!.type).toBe("merchant");
    expect(events.every((e, i) => i === 0 || events[i - 1]!.occurredAt <= e.occurredAt)).toBe(true);
    // ids of their own: no event id or transaction id shared with the population's
    const ids = events.map((e) => `${e.merchantId} ${e.eventId}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps the subscriptions under early-warning-disputes' ratio, in a high-risk MCC and with subscription-pattern's shape", () => {
    for (const kind of ["high-risk-subscription", "disputes-under-early-warning", "cross-border"] as const)
      for (const es of ofKind(kind)) {
        expect(highRisk.has(mccOf(es)), kind).toBe(true);
        expect(disputeRatio(es), `${kind} ${es[0]!.merchantId}`).toBeLessThan(early.ratio);
        const cnp = settledCnp(es);
        const inBand = cnp.filter((e) => e.recurring && e.amountMinor >= subscription.minMinor && e.amountMinor <= subscription.maxMinor);
        expect(cnp.length).toBeGreaterThanOrEqual(subscription.minSales);
        expect(inBand.length / cnp.length, kind).toBeGreaterThan(subscription.threshold);
      }
    // close to the line: as many disputes as the level asks, and a ratio not far under it
    for (const es of ofKind("disputes-under-early-warning")) {
      expect(disputes(es).length).toBeGreaterThanOrEqual(early.minCount);
      expect(disputeRatio(es)).toBeGreaterThan(early.ratio * 0.7);
    }
  });

  it("keeps the cross-border sellers over cross-border's share of foreign cards", () => {
    for (const es of ofKind("cross-border")) {
      const settled = sales(es).filter((e) => e.status === "settled");
      expect(settled.length).toBeGreaterThanOrEqual(crossBorder.minTransactions);
      const home = (es[0] as Extract<Event, { type: "merchant" }>).country;
      expect(settled.filter((e) => e.card!.country !== home).length / settled.length).toBeGreaterThan(crossBorder.threshold);
    }
  });

  it("puts the bad month's merchants under early-warning-disputes' ratio before it and over it, with enough disputes, by its end", () => {
    for (const es of ofKind("bad-month")) {
      const march = es.filter(inMarch);
      expect(disputeRatio(march)).toBeLessThan(early.ratio);
      expect(disputes(es).length).toBeGreaterThanOrEqual(early.minCount);
      expect(disputeRatio(es)).toBeGreaterThanOrEqual(early.ratio);
      expect(disputeRatio(es)).toBeLessThan(2 * early.ratio);
    }
  });

  it("spreads the affiliates' undisclosed referrers: over undisclosed-referrers' share, their top ones under its concentration", () => {
    for (const es of ofKind("affiliates")) {
      const checkouts = sales(es).filter((e) => e.status === "settled" || e.status === "authorized");
      const own = registrableDomain(urlHost((es[0] as Extract<Event, { type: "merchant" }>).websites![0]!)!);
      const undisclosed = new Map<string, number>();
      for (const e of checkouts) {
        const host = e.checkout?.referrerUrl ? urlHost(e.checkout.referrerUrl) : null;
        if (!host || registrableDomain(host) === own || referrers.allowReferrers.some((d) => host === d || host.endsWith(`.${d}`))) continue;
        undisclosed.set(registrableDomain(host), (undisclosed.get(registrableDomain(host)) ?? 0) + 1);
      }
      const total = [...undisclosed.values()].reduce((a, b) => a + b, 0);
      expect(total / checkouts.length).toBeGreaterThan(referrers.threshold);
      const top = [...undisclosed.values()].sort((a, b) => b - a).slice(0, referrers.topDomains).reduce((a, b) => a + b, 0);
      expect(top / total, es[0]!.merchantId).toBeLessThan(referrers.concentration);
    }
  });

  it("renames the rebrands twice, never three descriptors within descriptor-churn's days", () => {
    for (const es of ofKind("rebrand")) {
      const seen = new Map<string, number>();
      for (const e of es) if (e.type === "merchant" && !seen.has(e.descriptor)) seen.set(e.descriptor, Date.parse(e.occurredAt));
      const firstSeen = [...seen.values()];
      expect(firstSeen.length).toBe(churn.distinct);
      // the third name came more than withinDays (and the rule's day of slack) after the second
      expect(firstSeen[2]! - firstSeen[1]!).toBeGreaterThan((churn.withinDays + 1) * DAY);
    }
  });

  it("shares each shared host with more merchants than maxSharers, one of them built as linked-to-flagged", () => {
    const sharers = new Map<string, Set<string>>();
    for (const e of events) if (e.type === "merchant") for (const ip of e.infrastructure!.ips!) sharers.set(ip, (sharers.get(ip) ?? new Set()).add(e.merchantId));
    const hosts = new Set(ofKind("shared-host").map((es) => (es[0] as Extract<Event, { type: "merchant" }>).infrastructure!.ips![0]!));
    for (const ip of hosts) {
      const on = [...sharers.get(ip)!];
      expect(on.length, ip).toBeGreaterThan(pack.settings.maxSharers);
      expect(on.filter((m) => labels[m]!.typologies.includes("linked-to-flagged")), ip).toHaveLength(1);
    }
  });

  it("keeps the test charges under card-testing's attempts and cards in its window", () => {
    for (const es of ofKind("test-charges")) {
      const attempts = sales(es).filter((e) => (e.status === "authorized" || e.status === "declined") && e.amountMinor <= testing.maxMinor);
      expect(attempts.length).toBeGreaterThan(0);
      for (const a of attempts) {
        const t = Date.parse(a.occurredAt);
        const within = attempts.filter((x) => Math.abs(Date.parse(x.occurredAt) - t) <= testing.withinMinutes * 60_000);
        expect(within.length).toBeLessThan(testing.minCount);
        expect(new Set(within.map((x) => x.card!.token)).size).toBeLessThan(testing.minDistinctCards);
      }
    }
  });
});
