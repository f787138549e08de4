// A key left out reads "missing: this key is required" wherever a file's problems are worded (zodIssues, the rule
// loader): zod reports a missing enum or literal as a wrong value ("Invalid option: expected one of ..."), which sent
// people looking for a typo in a key that is not there.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { labelsFromFile } from "../src/app/backtest.js";
import { zodIssues } from "../src/lib/errors.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";

describe("zodIssues: a key left out", () => {
  const schema = z.strictObject({ label: z.enum(["positive", "negative"]), kind: z.literal("set"), name: z.string() });

  it("is missing for an enum, a literal and a plain type alike, saying what it must hold", () => {
    const input = {};
    expect(zodIssues(schema.safeParse(input).error!, input)).toEqual([
      { path: "label", message: 'missing: this key is required (one of "positive"|"negative")' },
      { path: "kind", message: 'missing: this key is required ("set")' },
      { path: "name", message: "missing: this key is required (string)" },
    ]);
  });

  it("keeps zod's words for a key that is there with a wrong value", () => {
    const input = { label: "maybe", kind: "list", name: "n" };
    expect(zodIssues(schema.safeParse(input).error!, input).map((i) => i.message)).toEqual([
      'Invalid option: expected one of "positive"|"negative"',
      'Invalid input: expected "set"',
    ]);
  });

  it("reads missing in a backtest labels file without a label", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mt-zod-missing-")), "labels.json");
    writeFileSync(file, JSON.stringify({ merchants: { "m-1.test": { note: "no label" } } }));
    expect(() => labelsFromFile(file)).toThrow(
      `${file}: merchants.m-1.test.label: missing: this key is required (one of "positive"|"negative"|"benign"|"hard-negative")`,
    );
  });
});

describe("rules validate: a key left out", () => {
  it("reads missing for an enum too, with the file, line and path", () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-rules-missing-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const file = join(dir, "chargebacks.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^\s+measure: \S+\n/m, ""));
    expect(() => loadRuleSet(dir)).toThrow(/chargebacks\.yaml:\d+:\d+: rules\[\d+\]\.params\.measure: missing: this key is required \(one of "vamp"\|"ecp"\|"window"\)/);
  });
});
