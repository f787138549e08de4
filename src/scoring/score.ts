// From a merchant's active signals to a score, a severity and typologies; and whether a new alert is owed.
import { z } from "zod";
import type { Severity } from "../decode/events.js";
import type { ActiveSignal, LastAlert, MerchantState } from "../state/merchant.js";
import type { CompiledRule, RuleSet } from "../rules/ruleset.js";

/**
 * `scoring.contextRules` in the rule set: rules whose signals describe a kind of business (sales abroad, fraud-coded
 * disputes, subscriptions) rather than wrongdoing. They add to other evidence, but do not add up among themselves:
 * with no other evidence only the strongest counts. Honest high-risk subscriptions selling abroad hold all three.
 */
export const ContextRules = z
  .array(z.string().min(1))
  .min(1, "name at least one rule, or take contextRules out")
  .superRefine((ids, ctx) => {
    const twice = ids.filter((r, i) => ids.indexOf(r) !== i);
    if (twice.length) ctx.addIssue({ code: "custom", message: `names ${twice.map((r) => `"${r}"`).join(", ")} twice: remove the repeat` });
  });

export interface Assessment {
  score: number;
  severity: Severity;
  critical: boolean;
  alert: boolean;
  /** active signals with their rule and contribution, largest first */
  parts: { rule: CompiledRule; signal: ActiveSignal; points: number }[];
  typologies: string[];
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/**
 * Score = sum of weight x strength over signals (capped at 100), multiplied by any factor signal's value when
 * there is other evidence. A critical finding alerts whatever the score. `firstHand` leaves out the findings of
 * kinds that are about the merchant's peers (RuleKind.secondHand). When every scoring signal is one of the context
 * rules, the strongest alone is the sum.
 */
export function assess(m: MerchantState, rs: RuleSet, firstHand = false): Assessment {
  let points = 0;
  let factor = 1;
  let critical = false;
  const parts: Assessment["parts"] = [];
  for (const rule of rs.rules) {
    const signal = m.signals[rule.id];
    if (!signal || (firstHand && rule.kind.secondHand) || rule.mode === "shadow") continue;
    if (rule.kind.role === "factor") {
      factor *= signal.value;
      parts.push({ rule, signal, points: 0 });
      continue;
    }
    const p = rule.weight * signal.strength;
    points += p;
    critical ||= signal.critical;
    parts.push({ rule, signal, points: p });
  }
  const context = rs.settings.scoring.contextRules;
  const alone = context !== undefined && parts.every((p) => p.points === 0 || context.includes(p.rule.id));
  const scoreOf = (x: number): number => (x > 0 ? Math.min(100, Math.round(x * factor)) : 0);
  const score = scoreOf(alone ? Math.max(0, ...parts.map((p) => p.points)) : points);
  const sev = rs.settings.scoring.severity;
  const severity: Severity = critical || score >= sev.critical ? "critical" : score >= sev.high ? "high" : score >= sev.medium ? "medium" : "low";
  parts.sort((a, b) => b.points - a.points);
  const typologies: string[] = [];
  for (const p of parts) if (p.points > 0 && !typologies.includes(p.rule.typology)) typologies.push(p.rule.typology);
  return { score, severity, critical, alert: critical || score >= rs.settings.scoring.alertAt, parts, typologies };
}

/**
 * An alert's citation of an entry as its last alert keeps it: an entry cited as a look-alike is another citation
 * than the same entry seen as listed, so a merchant then seen using the listed name itself is alerted again.
 */
export const citationKey = (i: { set: string; id: string; matchedAs?: { lookAlike?: true } }): string =>
  i.matchedAs?.lookAlike ? `${i.set}/${i.id}~look-alike` : `${i.set}/${i.id}`;

/** A merchant already alerted is alerted again only when its evidence materially changed. */
export function materiallyChanged(last: LastAlert | undefined, a: Assessment, rs: RuleSet): boolean {
  if (!last) return true;
  if (RANK[a.severity] > RANK[last.severity as Severity]) return true;
  if (a.score >= last.score + rs.settings.scoring.realertOnScoreRise) return true;
  for (const p of a.parts) {
    if (p.points > 0 && !last.rules.includes(p.rule.id)) return true;
    for (const i of p.signal.indicators) if (!last.indicators.includes(citationKey(i))) return true;
  }
  return false;
}
