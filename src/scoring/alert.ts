// The contract's alert: why, with the evidence a reviewer needs, and the exact rule-set version.
import { sha256Hex } from "../lib/hash.js";
import type { Alert, AlertContext } from "../decode/events.js";
import { dayIndex } from "../state/window.js";
import { activityDays } from "../state/evidence.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { LastAlert, MerchantState } from "../state/merchant.js";
import { citationKey, type Assessment } from "./score.js";

/** Deterministic: the same events through the same rule set give the same alert ids (replay = live). */
function alertId(merchantId: string, eventId: string, version: string): string {
  const h = sha256Hex(`${merchantId}\n${eventId}\n${version}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildAlert(m: MerchantState, a: Assessment, rs: RuleSet, eventId: string, raisedAt: string): Alert {
  return {
    alertId: alertId(m.id, eventId, rs.version),
    merchantId: m.id,
    raisedAt,
    score: a.score,
    severity: a.severity,
    typologies: a.typologies,
    signals: a.parts.map(({ rule, signal }) => ({
      rule: rule.id,
      version: rule.version,
      value: round(signal.value),
      threshold: signal.threshold,
      kind: rule.kind.kind,
      explanation: rule.kind.explain(signal, rule.params) + contextNote(rule.id, rs),
      evidence: {
        eventIds: signal.eventIds,
        ...(signal.indicators.length ? { indicators: signal.indicators } : {}),
      },
    })),
    ruleSet: { id: rs.id, version: rs.version },
    context: context(m, a, raisedAt),
  };
}

/** The merchant's profile, the evidence events it still holds that the signals cite, and its daily activity. */
function context(m: MerchantState, a: Assessment, raisedAt: string): AlertContext {
  const cited = new Set(a.parts.flatMap((p) => p.signal.eventIds));
  const lastDay = dayIndex(Date.parse(raisedAt));
  const p = m.profile;
  return {
    ...(p && {
      profile: {
        acquirerId: p.acquirerId,
        ...(p.legalName !== undefined && { legalName: p.legalName }),
        descriptor: p.descriptor,
        mcc: p.mcc,
        country: p.country,
        websites: p.websites,
        principals: p.principals,
        ...(p.contactEmail && { contactEmail: p.contactEmail }),
        ...(p.payoutAccount && { payoutAccount: p.payoutAccount }),
        wallets: p.wallets,
        infrastructure: { ips: p.ips, analyticsIds: p.analyticsIds },
      },
    }),
    events: (m.evidence ?? []).filter((e) => cited.has(e.eventId)),
    activity: activityDays(m.activity)
      .filter((d) => d[0] <= lastDay)
      .map(([day, sales, amountMinor, chargebacks]) => ({ day: new Date(day * 86_400_000).toISOString().slice(0, 10), sales, amountMinor, chargebacks })),
  };
}

export function summarise(alert: Alert, a: Assessment): LastAlert {
  return {
    alertId: alert.alertId,
    at: alert.raisedAt,
    score: alert.score,
    severity: alert.severity,
    rules: a.parts.filter((p) => p.points > 0).map((p) => p.rule.id),
    indicators: a.parts.flatMap((p) => p.signal.indicators.map(citationKey)),
  };
}

/** A context rule's signal says so: the reviewer reads it as support for the other evidence, not as a finding. */
const contextNote = (ruleId: string, rs: RuleSet): string =>
  rs.settings.scoring.contextRules?.includes(ruleId)
    ? " — context, not a finding: it adds to other evidence; context signals alone do not add up, only the strongest counts."
    : "";

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
