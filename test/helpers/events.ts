// Builders for valid contract events with sensible defaults, and a one-call engine over an inline rule set.
// Test data stays synthetic: reserved domains (*.example, *.test, *.invalid), placeholder keywords, card tokens
// as sha256: hashes, never a card number.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  Event,
  type ChargebackEvent,
  type MerchantEvent,
  type SiteObservationEvent,
  type TransactionEvent,
} from "../../src/decode/events.js";
import { Engine } from "../../src/engine.js";
import { loadRuleSet, type RuleSet } from "../../src/rules/ruleset.js";
import { IndicatorIndex } from "../../src/indicators/index.js";
import { FORMAT, IndicatorSet, type IndicatorEntry } from "../../src/indicators/schema.js";
import { sha256Tagged } from "../../src/lib/url.js";
import type { Alert } from "../../src/decode/events.js";
import type { ActiveSignal, MerchantState } from "../../src/state/merchant.js";

export const M1 = "acq-nl:M-1";
export const M2 = "acq-nl:M-2";
export const M3 = "acq-nl:M-3";
export const M4 = "acq-nl:M-4";

export const DEFAULT_START = "2026-03-02T00:00:00Z";

// Event ids and times: every built event takes the next id and the clock's time, then the clock moves on by
// `step`. An explicit occurredAt sets the clock, so the events built after it follow it.
let seq = 0;
let clockMs = Date.parse(DEFAULT_START);
let stepMs = 60_000;

/** Starts ids at e-1 again and sets the clock (default 2026-03-02T00:00:00Z, one minute per event). */
export function resetEvents(start: string = DEFAULT_START, step = 60_000): void {
  seq = 0;
  clockMs = Date.parse(start);
  stepMs = step;
}

/** Moves the clock to a time (and optionally changes the step) without resetting the ids. */
export function setClock(at: string, step?: number): void {
  clockMs = Date.parse(at);
  if (Number.isNaN(clockMs)) throw new Error(`setClock: not a time: ${at}`);
  if (step !== undefined) stepMs = step;
}

export function advance(ms: number): void {
  clockMs += ms;
}

export const MINUTE = 60_000;
export const DAY = 86_400_000;

function next(occurredAt?: string): { eventId: string; occurredAt: string } {
  seq++;
  if (occurredAt !== undefined) clockMs = Date.parse(occurredAt);
  const at = new Date(clockMs).toISOString();
  clockMs += stepMs;
  return { eventId: `e-${seq}`, occurredAt: occurredAt ?? at };
}

/** A card token: sha256 of a label, never a card number. */
export const cardToken = (label: string | number): string => sha256Tagged(`card-${label}`);
/** Any other hashed identifier (e-mail, account, principal). */
export const hashOf = (label: string): string => sha256Tagged(label);

type Over<T> = Partial<Omit<T, "type">>;

/** The overrides without keys set to undefined, so `{ occurredAt: undefined }` keeps the default. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function merchant(over: Over<MerchantEvent> = {}): MerchantEvent {
  const o = defined(over);
  const { eventId, occurredAt } = next(o.occurredAt);
  return Event.parse({
    type: "merchant",
    eventId,
    occurredAt,
    merchantId: M1,
    acquirerId: "acq-nl",
    legalName: "Example Shop BV",
    descriptor: "EXAMPLE SHOP",
    mcc: "5411",
    country: "NL",
    websites: ["https://shop.example/"],
    ...o,
  }) as MerchantEvent;
}

export function tx(over: Over<TransactionEvent> = {}): TransactionEvent {
  const o = defined(over);
  const { eventId, occurredAt } = next(o.occurredAt);
  const { card, ...rest } = o;
  return Event.parse({
    type: "transaction",
    eventId,
    occurredAt,
    merchantId: M1,
    transactionId: `t-${seq}`,
    amountMinor: 2995,
    currency: "EUR",
    status: "settled",
    channel: "ecommerce",
    card: { token: cardToken(seq), bin: "400000", country: "NL", ...card },
    ...rest,
  }) as TransactionEvent;
}

export function chargeback(over: Over<ChargebackEvent> = {}): ChargebackEvent {
  const o = defined(over);
  const { eventId, occurredAt } = next(o.occurredAt);
  return Event.parse({
    type: "chargeback",
    eventId,
    occurredAt,
    merchantId: M1,
    transactionId: `t-cb-${seq}`,
    network: "visa",
    reasonCode: "13.1",
    kind: "dispute",
    amountMinor: 2995,
    currency: "EUR",
    ...o,
  }) as ChargebackEvent;
}

export function crawl(over: Over<SiteObservationEvent> = {}): SiteObservationEvent {
  const o = defined(over);
  const { eventId, occurredAt } = next(o.occurredAt);
  return Event.parse({
    type: "site_observation",
    eventId,
    occurredAt,
    merchantId: M1,
    url: "https://shop.example/",
    ...o,
  }) as SiteObservationEvent;
}

/** An indicator set; entry ids default to ind-1, ind-2, … and confidence to 90. */
export function indicatorSet(
  entries: (Omit<IndicatorEntry, "id" | "confidence"> & { id?: string; confidence?: number })[],
  meta: { id?: string; source?: string } = {},
): IndicatorSet {
  return IndicatorSet.parse({
    format: FORMAT,
    id: meta.id ?? "set-test",
    publisher: { id: meta.source ?? "member:hotline-test" },
    version: 1,
    created: "2026-01-01T00:00:00Z",
    entries: entries.map((e, i) => ({ ...e, id: e.id ?? `ind-${i + 1}`, confidence: e.confidence ?? 90 })),
  });
}

/**
 * An indicator set as a member's file holds it, not checked (a test may write one the loader refuses): member
 * hotline-a's, version 1 unless `set` says otherwise, its fields in the format's order.
 */
export function hotlineSet(set: Pick<IndicatorSet, "id" | "created" | "entries"> & Partial<IndicatorSet>): IndicatorSet {
  const { id, ...rest } = set;
  return { format: FORMAT, id, publisher: { id: "member:hotline-a" }, version: 1, ...rest };
}

export interface TestSettings {
  id?: string;
  alertAt?: number;
  severity?: { medium: number; high: number; critical: number };
  realertOnScoreRise?: number;
  highRiskMccs?: string[];
  maxSharers?: number;
}

export const HIGH_RISK_MCC = "5967";
export const LOW_RISK_MCC = "5411";

/** The `ruleset:` section the test engines use unless told otherwise. */
export function settingsFor(s: TestSettings = {}): Record<string, unknown> {
  return {
    id: s.id ?? "test-set",
    scoring: {
      alertAt: s.alertAt ?? 60,
      severity: s.severity ?? { medium: 60, high: 75, critical: 90 },
      realertOnScoreRise: s.realertOnScoreRise ?? 15,
    },
    highRiskMccs: s.highRiskMccs ?? [HIGH_RISK_MCC, "7273"],
    maxSharers: s.maxSharers ?? 25,
  };
}

/** Removes the common leading indentation of a template literal. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").replace(/\s+$/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/**
 * Loads a rule set from a temporary directory holding one `ruleset.yaml`: the settings plus the given rules
 * (a YAML list of rules, with or without the `rules:` key).
 */
export function ruleSetWith(rulesYaml: string, settings: TestSettings = {}): RuleSet {
  const body = dedent(rulesYaml);
  const rules = /^rules:/m.test(body) ? body : `rules:\n${body}`;
  const dir = mkdtempSync(join(tmpdir(), "mt-rules-"));
  try {
    writeFileSync(join(dir, "ruleset.yaml"), `${stringify({ ruleset: settingsFor(settings) })}${rules}\n`);
    return loadRuleSet(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function indexOf(indicators?: IndicatorSet | IndicatorSet[]): IndicatorIndex {
  const index = new IndicatorIndex();
  for (const set of indicators === undefined ? [] : Array.isArray(indicators) ? indicators : [indicators]) index.add(set);
  return index;
}

/** A new Engine over the given rules (see ruleSetWith) and indicator sets. */
export function engineWith(rulesYaml: string, indicators?: IndicatorSet | IndicatorSet[], settings: TestSettings = {}): Engine {
  return new Engine(ruleSetWith(rulesYaml, settings), indexOf(indicators));
}

/** Processes events in order; returns every alert raised. */
export function feed(engine: Engine, events: Iterable<Event>): Alert[] {
  const out: Alert[] = [];
  for (const e of events) out.push(...engine.process(e));
  return out;
}

export function state(engine: Engine, merchantId = M1): MerchantState {
  const m = engine.merchants.get(merchantId);
  if (!m) throw new Error(`no state for ${merchantId}`);
  return m;
}

/** The merchant's active signal of one rule, or undefined. */
export function signalOf(engine: Engine, ruleId: string, merchantId = M1): ActiveSignal | undefined {
  return engine.merchants.get(merchantId)?.signals[ruleId];
}

/** n events made by a builder. */
export function times<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}
