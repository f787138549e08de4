// The flagged-merchant table a person reads after a replay: who, how bad, and why in plain words.
import Table from "cli-table3";
import type { Alert } from "../decode/events.js";
import type { RuleSetSettings } from "../rules/ruleset.js";

/** What the columns mean, with the rule set's numbers: a newcomer knows neither the scale nor the bands. */
function legend(s: RuleSetSettings["scoring"]): string {
  return [
    `score: 0 to 100, the points of the findings under "why" added up (an indicator match counts at its confidence; a high-risk category multiplies the others); a merchant is flagged at ${s.alertAt} or more (scoring.alertAt in the rule set)`,
    `severity: medium from ${s.severity.medium}, high from ${s.severity.high}, critical from ${s.severity.critical} (scoring.severity), or critical whatever the score when a finding says "alerted at once"`,
    "typologies: the kind of wrongdoing each finding points to (the typology of the rule that found it: README, Rules)",
  ].join("\n");
}

export function flaggedTable(latest: Iterable<Alert>, scoring: RuleSetSettings["scoring"], width = process.stdout.columns || 140): string {
  const rows = [...latest].sort((a, b) => b.score - a.score || a.merchantId.localeCompare(b.merchantId));
  const reasonWidth = Math.max(40, Math.min(100, width - 70));
  const table = new Table({
    head: ["merchant", "score", "severity", "typologies", "why (strongest evidence first)"],
    colWidths: [20, 7, 10, 26, reasonWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  for (const a of rows) {
    table.push([
      a.merchantId,
      String(a.score),
      a.severity,
      a.typologies.join("\n"),
      a.signals.map((s) => `- ${s.explanation ?? `${s.rule}: ${s.value} vs ${s.threshold}`}`).join("\n"),
    ]);
  }
  // below the rows, across the table: read once the rows have raised the question
  if (rows.length) table.push([{ colSpan: 5, content: legend(scoring) }]);
  return table.toString();
}
