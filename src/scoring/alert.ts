// The contract's alert: why, with the evidence a reviewer needs, and the exact rule-set version.
import { createHash } from "node:crypto";
import type { Alert } from "../decode/events.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { LastAlert, MerchantState } from "../state/merchant.js";
import type { Assessment } from "./score.js";

/** Deterministic: the same events through the same rule set give the same alert ids (replay = live). */
function alertId(merchantId: string, eventId: string, version: string): string {
  const h = createHash("sha256").update(`${merchantId}\n${eventId}\n${version}`).digest("hex");
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
      explanation: rule.kind.explain(signal, rule.params),
      evidence: {
        eventIds: signal.eventIds,
        ...(signal.indicators.length ? { indicators: signal.indicators } : {}),
      },
    })),
    ruleSet: { id: rs.id, version: rs.version },
  };
}

export function summarise(alert: Alert, a: Assessment): LastAlert {
  return {
    alertId: alert.alertId,
    at: alert.raisedAt,
    score: alert.score,
    severity: alert.severity,
    rules: a.parts.filter((p) => p.points > 0).map((p) => p.rule.id),
    indicators: a.parts.flatMap((p) => p.signal.indicators.map((i) => `${i.set}/${i.id}`)),
  };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
