// What a rule kind is: a zod schema for its parameters, an evaluator over one merchant's state, and an
// explanation in plain words. The engine knows nothing else about any kind.
import { z } from "zod";
import type { Event, MatchedAsEvidence } from "../decode/events.js";
import type { MerchantState } from "../state/merchant.js";
import type { InfraIndex } from "../state/infra.js";
import type { IndicatorIndex, IndicatorRef } from "../indicators/index.js";
import { bucketFor, monthIndex, pushRecent, windowSum, type MonthBucket, type MonthPair } from "../state/window.js";
import type { RuleSetSettings } from "./ruleset.js";

/** What every rule in a rules file has besides its kind's parameters. */
export const ruleBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and dashes"),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  /** shadow: evaluated and its hits recorded, but never part of a score or an alert (to try a rule on live data) */
  mode: z.enum(["live", "shadow"]).default("live"),
  /** points this rule adds to the merchant's score (0-100) when it fires at full strength */
  weight: z.number().min(0).max(100),
  typology: z.string().min(1),
};
export type RuleMode = z.infer<typeof ruleBase.mode>;

export interface Finding {
  value: number;
  threshold: number;
  /** 0..1, how strongly the rule fired; scales the weight (default 1) */
  strength?: number;
  /** alert at once, whatever the score */
  critical?: boolean;
  eventIds: string[];
  /** the entries matched, each with how it matched when not as written (see MatchedAsEvidence) */
  indicators?: readonly (IndicatorRef & { matchedAs?: MatchedAsEvidence })[];
  /** facts for the explanation, e.g. the matched domain or the descriptors seen */
  detail?: string;
}

/** Shared lookups a rule may consult. */
export interface RuleEnv {
  indicators: IndicatorIndex;
  infra: InfraIndex;
  highRiskMccs: ReadonlySet<string>;
}

/** An internal trigger: another merchant sharing infrastructure with this one was just flagged. */
export interface PeerFlagged {
  type: "peer-flagged";
  eventId: string;
  merchantId: string;
  peerId: string;
}

/**
 * An internal trigger, run before a merchant's event when the indicator sets in force changed since the merchant was
 * last checked, or an indicator its signals cite has expired: rules that match indicators look again at what the
 * merchant's state still holds, adding matches of new entries and dropping those of revoked or expired ones.
 */
export interface IndicatorsChanged {
  type: "indicators-changed";
  /** the event about to be processed */
  eventId: string;
  merchantId: string;
}

/** What a rule may be run on: an event, or one of the engine's internal triggers. */
export type Trigger = Event | PeerFlagged | IndicatorsChanged;
export type TriggerType = Trigger["type"];
/** Every event of the merchant: what a windowed rule runs on, as any event moves the merchant's window on. */
export const EVERY_EVENT: readonly TriggerType[] = ["merchant", "transaction", "chargeback", "site_observation"];

export interface EvalInput<P, S> {
  event: Trigger;
  /** event time, epoch ms */
  at: number;
  merchant: MerchantState;
  params: P;
  /** this rule's own state for this merchant; undefined until the rule keeps something (see keep()) */
  slot: S | undefined;
  env: RuleEnv;
  /** set by noteEvidence(): the engine then keeps this event's details for the reviewer */
  noted: boolean;
}

/**
 * The rule's slot, created on first need. Most merchants never need most rules' memory, and a slot per rule
 * per merchant would be most of the heap.
 */
export function keep<S>(input: { slot: S | undefined }, fresh: () => S): S {
  return (input.slot ??= fresh());
}

/**
 * For an event a month-windowed rule does not count: once the merchant's month (of its latest event) has moved on,
 * the window moves with it and what left it counts no more. Returns the finding over what the window still holds
 * (`counted` in it), null when it holds nothing (the slot and its memory dropped), undefined when the month has not
 * moved (nothing changed). `counted` and `finding` are functions made once (finding is given the input, for the rule's
 * parameters): a closure made at every call is an allocation per rule and event, for a month that rarely moved.
 */
export function rollWindow<B extends MonthBucket, S extends MonthPair<B>, I extends { slot: S | undefined; merchant: MerchantState }>(
  input: I,
  fresh: (m: number) => B,
  counted: (b: B) => number,
  finding: (slot: S, input: I) => Finding | null,
): Finding | null | undefined {
  const slot = input.slot;
  const now = monthIndex(input.merchant.lastEventAt);
  if (!slot?.month || now <= slot.month.m) return undefined;
  bucketFor(slot, now, now, fresh);
  if (windowSum(slot, counted) > 0) return finding(slot, input);
  input.slot = undefined;
  return null;
}

/** Records the current event in a rule's bounded evidence list, and asks the engine to keep its details. */
export function noteEvidence(input: EvalInput<unknown, unknown>, list: string[], cap: number): void {
  pushRecent(list, input.event.eventId, cap);
  input.noted = true;
}

/**
 * Adds an indicator match to a rule's bounded list, unless it holds that entry already; when full, the weakest goes,
 * so the confidence a finding reports (the strongest) never drops out. True when the match was new.
 */
export function keepStrongest(list: IndicatorRef[], ref: IndicatorRef, cap: number): boolean {
  if (list.some((m) => m.set === ref.set && m.id === ref.id)) return false;
  list.push(ref);
  if (list.length <= cap) return true;
  let weakest = 0;
  for (let i = 1; i < list.length; i++) if (list[i]!.confidence < list[weakest]!.confidence) weakest = i;
  list.splice(weakest, 1);
  return true;
}

/**
 * After a rule rebuilt its matches from nothing (indicators-changed): the evidence stays the events that showed the
 * matches before, or the profile's event when there were none.
 */
export function recheckedEvidence(prior: { eventIds: string[] } | undefined, input: EvalInput<unknown, unknown>): string[] {
  return prior?.eventIds.length ? prior.eventIds : [input.merchant.profile?.eventId ?? input.event.eventId];
}

/**
 * The finding of a rule that matches indicators: its value and strength the strongest match's confidence, critical
 * from `criticalConfidence`.
 */
export function indicatorFinding(
  matched: readonly IndicatorRef[],
  eventIds: readonly string[],
  detail: string,
  params: { minConfidence: number; criticalConfidence: number },
): Finding {
  const best = Math.max(...matched.map((m) => m.confidence));
  return {
    value: best,
    threshold: params.minConfidence,
    strength: best / 100,
    critical: best >= params.criticalConfidence,
    eventIds: [...eventIds],
    indicators: [...matched],
    detail,
  };
}

/** An indicator match's confidence in an explanation: against the rule's floor and the level that alerts at once. */
export function confidenceText(value: number, min: number, critical: number): string {
  return value >= critical
    ? `confidence ${value}, at or above ${critical}: alerted at once as critical, whatever the score`
    : `confidence ${value} (counted from ${min}; from ${critical} it alerts at once, as critical)`;
}

export type SharedSetting = Exclude<keyof RuleSetSettings, "id" | "description">;

export interface RuleKind<P = unknown, S = undefined> {
  kind: string;
  /** one line for `rules validate` and the README */
  summary: string;
  params: z.ZodType<P>;
  on: readonly TriggerType[];
  /** a factor multiplies the score of other signals and never raises an alert on its own */
  role?: "signal" | "factor";
  /**
   * Its findings are about the merchant's peers, not the merchant itself: a merchant alerted on such findings alone
   * is not flagged to its own peers in turn (one hop).
   */
  secondHand?: boolean;
  /**
   * The set-wide settings (the rule set's `ruleset:` section) a rule of this kind reads with these parameters: its
   * hits change with them although its own configuration does not, so a backtest reports the rule changed.
   */
  reads?(params: P): readonly SharedSetting[];
  /**
   * Parameters that validate but are most likely a mistake (a percentage written as a share), each at its path under
   * params: taken, as a test or an odd business may mean them, and noted with the set's other doubts (RuleSet.doubts)
   * by `rules validate`, a save on the Rules page and a backtest.
   */
  doubts?(params: P): readonly { path: readonly (string | number)[]; message: string }[];
  /** A finding, null when the rule no longer holds, undefined when this event changes nothing. */
  evaluate(input: EvalInput<P, S>): Finding | null | undefined;
  /** strength: 0..1, the share of the weight the finding counts for (1 unless the kind scales it) */
  explain(f: { value: number; threshold: number; strength: number; detail?: string }, params: P): string;
  /** A slot as persisted, perhaps by an earlier version, in this version's shape; as is when absent. */
  restore?(stored: unknown): S;
}

export function defineKind<P, S = undefined>(k: RuleKind<P, S>): RuleKind<P, S> {
  return k;
}

/** A share of a whole, as the explanations print it with pct(); a tuner may well write 70 for 70%. */
export const share = () => z.number().gt(0).max(1, "a share from 0 to 1: write 70% as 0.7");

export const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
