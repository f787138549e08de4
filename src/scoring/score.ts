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
  const context = rs.settings.scoring.contextRules;
  // every scoring signal a context rule's, and the strongest of them: counted as the parts are
  let alone = context !== undefined;
  let strongest = 0;
  const parts: Assessment["parts"] = [];
  for (const rule of rs.rules) {
    const signal = m.signals[rule.id];
    if (!signal || (firstHand && rule.kind.secondHand) || rule.mode === "shadow") continue;
    if (rule.kind.role === "factor") {
      factor *= signal.value;
      placeByPoints(parts, { rule, signal, points: 0 });
      continue;
    }
    const p = rule.weight * signal.strength;
    points += p;
    critical ||= signal.critical;
    if (alone && p !== 0 && !context!.includes(rule.id)) alone = false;
    strongest = Math.max(strongest, p);
    placeByPoints(parts, { rule, signal, points: p });
  }
  const sum = alone ? strongest : points;
  const score = sum > 0 ? Math.min(100, Math.round(sum * factor)) : 0;
  const sev = rs.settings.scoring.severity;
  const severity: Severity = critical || score >= sev.critical ? "critical" : score >= sev.high ? "high" : score >= sev.medium ? "medium" : "low";
  const typologies: string[] = [];
  for (const p of parts) if (p.points > 0 && !typologies.includes(p.rule.typology)) typologies.push(p.rule.typology);
  return { score, severity, critical, alert: critical || score >= rs.settings.scoring.alertAt, parts, typologies };
}

/**
 * Adds a part after those with as many points or more: the parts largest first, in rule order among equals, as a stable
 * sort gives them. Assessed at every event that changes a signal, and Array.prototype.sort allocates its work arrays.
 */
function placeByPoints(parts: Assessment["parts"], part: Assessment["parts"][number]): void {
  let i = parts.length;
  parts.push(part);
  for (; i > 0 && parts[i - 1]!.points < part.points; i--) parts[i] = parts[i - 1]!;
  parts[i] = part;
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
