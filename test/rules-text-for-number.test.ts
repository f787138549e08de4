// A tuner writes a number as people write it ("30days", "1%", "1,500", a quoted "0.25") or a YAML 1.1 boolean (no):
// the refusal says how to write it, not only that a string was not a number.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { ConfigError } from "../src/lib/errors.js";

const SETTINGS = `ruleset:
  id: text-numbers
  scoring: { alertAt: 60, severity: { medium: 60, high: 75, critical: 90 } }
`;
const root = mkdtempSync(join(tmpdir(), "mt-text-numbers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** The one issue a set with this rule is refused for, as path: message. */
function refusal(rule: string): string {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  writeFileSync(join(dir, "ruleset.yaml"), SETTINGS);
  writeFileSync(join(dir, "rules.yaml"), `rules:\n${rule}`);
  try {
    loadRuleSet(dir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.issues).toHaveLength(1);
    return `${err.issues[0]!.path}: ${err.issues[0]!.message}`;
  }
  throw new Error("not refused");
}
const churn = (params: string, extra = "") =>
  `  - { id: churn, kind: descriptor-churn, weight: 30, typology: brand-churn${extra}, params: ${params} }\n`;
// block style: in a flow mapping ({ ... }) the comma of 1,500 would end the entry
const ratio = (value: string, minCount = "8") =>
  `  - id: early\n    kind: chargeback-ratio\n    weight: 40\n    typology: excessive-disputes\n    params:\n      measure: window\n      levels:\n        - name: early\n          ratio: ${value}\n          minCount: ${minCount}\n`;

describe("text where a rule file wants a number or true/false", () => {
  it("a number with a unit: write the number alone, in the key's unit", () => {
    expect(refusal(churn("{ distinct: 3, withinDays: 30days }"))).toBe(
      'rules[0].params.withinDays: "30days" is text, not a number: write a plain number of days (withinDays: 30)',
    );
    expect(refusal(churn("{ distinct: 3, withinDays: 4 weeks }"))).toBe('rules[0].params.withinDays: "4 weeks" is text, not a number: write a plain number of days (withinDays)');
    expect(refusal(churn('{ distinct: "3 names", withinDays: 30 }'))).toBe('rules[0].params.distinct: "3 names" is text, not a number: write a plain number (distinct: 3)');
  });

  it("a percentage: a share from 0 to 1", () => {
    expect(refusal(ratio("1%"))).toBe(
      'rules[0].params.levels[0].ratio: "1%" is text, not a number: write a percentage as a share from 0 to 1 (ratio: 0.01)',
    );
    expect(refusal(ratio("1.5 %"))).toContain("(ratio: 0.015)");
  });

  it("a percentage where points go (a weight, a score): no share suggested", () => {
    expect(refusal(churn("{ distinct: 3, withinDays: 30 }").replace("weight: 30", "weight: 30%"))).toBe('rules[0].weight: "30%" is text, not a number: weight is in points, not a share: write weight: 30');
  });

  it("a number in quotes, or with thousands separators", () => {
    expect(refusal(ratio('"0.01"'))).toBe(
      'rules[0].params.levels[0].ratio: "0.01" is text, not a number (it is in quotes): write it without quotes (ratio: 0.01)',
    );
    expect(refusal(ratio("0.01", "1,500"))).toBe(
      'rules[0].params.levels[0].minCount: "1,500" is text, not a number: write it without separators (minCount: 1500)',
    );
  });

  it("yes/no/on/off: write true or false", () => {
    expect(refusal(churn("{ distinct: 3, withinDays: 30 }", ", enabled: no"))).toBe(
      'rules[0].enabled: "no" is text, not true or false: write enabled: false',
    );
    expect(refusal(churn("{ distinct: 3, withinDays: 30 }", ", enabled: On"))).toBe('rules[0].enabled: "On" is text, not true or false: write enabled: true');
  });

  it("a word: write it in digits, or true or false", () => {
    expect(refusal(churn("{ distinct: three, withinDays: 30 }"))).toBe('rules[0].params.distinct: "three" is text, not a number: write distinct as a number, in digits');
    expect(refusal(churn("{ distinct: 3, withinDays: 30 }", ", enabled: maybe"))).toBe('rules[0].enabled: "maybe" is text, not true or false: write enabled: true or enabled: false');
  });

  it("a number where text goes (an MCC): write it in quotes", () => {
    const dir = join(root, String(n++));
    mkdirSync(dir);
    writeFileSync(join(dir, "ruleset.yaml"), `${SETTINGS}  highRiskMccs: ["5967", 7273, 0742]\n`);
    expect(() => loadRuleSet(dir)).toThrow('ruleset.highRiskMccs[1]: 7273 is read as a number, where text goes: write it in quotes ("7273")');
    expect(() => loadRuleSet(dir)).toThrow('ruleset.highRiskMccs[2]: 0742 is read as a number, where text goes: write it in quotes ("0742")');
  });
});
