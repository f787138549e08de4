// The flagged table (npm start, replay --table) is read by someone who has not read the rules: it says what its score
// and severity mean, with the rule set's own numbers, and why a merchant under the critical band is critical.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { flaggedTable } from "../src/app/table.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { loadTrustStore } from "../src/indicators/sign.js";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { defaultRulesCopies } from "./helpers/rules.js";

const copy = defaultRulesCopies("table-legend");

describe("the flagged table's legend", () => {
  it("says what score, severity and typologies are, with the rule set's alertAt and bands", { timeout: 60_000 }, async () => {
    // bands other than the default pack's: the legend reads them from the set
    const dir = copy({ "ruleset.yaml": (t) => t.replace("alertAt: 60", "alertAt: 55").replace("{ medium: 60, high: 75, critical: 90 }", "{ medium: 55, high: 70, critical: 88 }") });
    const ruleSet = loadRuleSet(dir);
    const s = await replay({
      events: join(SAMPLE_DIR, "events.ndjson"),
      out: join(dir, "alerts.ndjson"),
      rejects: join(dir, "rejects.ndjson"),
      ruleSet,
      indicators: loadIndicators(join(SAMPLE_DIR, "indicators"), loadTrustStore(join(SAMPLE_DIR, "trust.json"))),
      progress: false,
    });
    // one line of text, as a person reads it across the table's wrapping
    const text = flaggedTable(s.latest.values(), ruleSet.settings.scoring, 200)
      .split("\n")
      .map((l) => l.replace(/^│ ?|│$/g, "").trim())
      .join(" ");
    expect(text).toContain('score: 0 to 100, the points of the findings under "why" added up');
    expect(text).toContain("a merchant is flagged at 55 or more (scoring.alertAt in the rule set)");
    expect(text).toContain('severity: medium from 55, high from 70, critical from 88 (scoring.severity), or critical whatever the score when a finding says "alerted at once"');
    expect(text).toContain("typologies: the kind of wrongdoing each finding points to");
    // a row under the critical band and critical all the same, which the legend explains
    expect([...s.latest.values()].some((a) => a.severity === "critical" && a.score < 88)).toBe(true);
  });
});
