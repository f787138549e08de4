// Rule sets for tests: copies of the default pack to edit, and rules to add to one.
import { afterAll, expect } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RULES } from "../../src/lib/paths.js";

/**
 * Call once at a test file's top level: what it returns makes a copy of the default rule pack in a directory of its
 * own, each file in `edits` rewritten by its function (which must change it), and returns the directory. The copies
 * are removed after the file's tests.
 */
export function defaultRulesCopies(name: string): (edits?: Record<string, (text: string) => string>) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return (edits = {}) => {
    const dir = mkdtempSync(join(tmpdir(), `mt-${name}-`));
    made.push(dir);
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    for (const [file, edit] of Object.entries(edits)) {
      const before = readFileSync(join(dir, file), "utf8");
      const after = edit(before);
      expect(after, `the edit of ${file}`).not.toBe(before);
      writeFileSync(join(dir, file), after);
    }
    return dir;
  };
}

/**
 * A wide early warning, as YAML to append to a rules file's list: 0.3% with one event, any MCC. On the committed
 * sample it hits 7 merchants, 5 of them negatives, so a backtest shows it clearly.
 */
export const wideEarlyWarning = (id: string, mode: "live" | "shadow") => `
  - id: ${id}
    kind: chargeback-ratio
    mode: ${mode}
    weight: 60
    typology: excessive-disputes
    params:
      measure: window
      levels:
        - { name: "wide", ratio: 0.003, minCount: 1 }
`;

// The rules most engine tests combine, as YAML list items to join in a template literal for ruleSetWith/engineWith
// (test/helpers/events.ts): an entry of confidence 50 or more counts, 80 or more is critical.

/** flagged-site-link at weight 100 */
/** A descriptor-keywords rule, id `kw`, with the rule's own keywords (a YAML list) beside the indicator sets' ones. */
export const keywordRule = (keywords = "[]") => `
  - id: kw
    kind: descriptor-keywords
    weight: 80
    typology: flagged-descriptor
    params: { minConfidence: 50, keywords: ${keywords} }
`;

export const FSL_RULE = `
  - id: fsl
    kind: flagged-site-link
    weight: 100
    typology: linked-to-flagged
    params: { minConfidence: 50, criticalConfidence: 80 }`;

/** listed-identifier at weight 90 */
export const LISTED_RULE = `
  - id: listed
    kind: listed-identifier
    weight: 90
    typology: listed-identifier
    params: { minConfidence: 50, criticalConfidence: 80 }`;

/** shared-infrastructure at weight 60, over every kind of infrastructure */
export const SHARED_RULE = `
  - id: shared
    kind: shared-infrastructure
    weight: 60
    typology: shared-infrastructure
    params: { minConfidence: 50 }`;

/** test-transactions as the default pack has it: 15 tiny attempts on 12 cards within 60 minutes alerts on its own */
export const CARD_TESTING_RULE = `
  - id: card-testing
    kind: test-transactions
    weight: 60
    typology: card-testing
    params: { maxMinor: 200, minCount: 15, minDistinctCards: 12, withinMinutes: 60 }`;
