// The flagged-merchant table a person reads after a replay: who, how bad, and why in plain words.
import Table from "cli-table3";
import type { Alert } from "../decode/events.js";

export function flaggedTable(latest: Iterable<Alert>, width = process.stdout.columns || 140): string {
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
  return table.toString();
}
