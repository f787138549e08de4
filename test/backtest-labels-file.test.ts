// A tuner's own --labels file needs only each merchant's label: typologies (of a positive) and a note are optional,
// and "negative" is a label beside the fixtures' benign and hard-negative. A bad file is refused with the file, the
// line (JSON syntax) or the path inside it, and the reason.
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backtest, labelsFromFile } from "../src/app/backtest.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { readLineBatches } from "../src/source/ndjson.js";
import { ConfigError } from "../src/lib/errors.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

function labelsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "mt-backtest-labels-")), "my-labels.json");
  writeFileSync(file, text);
  return file;
}

const refusal = (file: string): ConfigError => {
  try {
    labelsFromFile(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`${file} was taken`);
};

describe("backtest --labels: a tuner's own file", () => {
  it("needs only each merchant's label, and scores a backtest with it", async () => {
    const file = labelsFile(
      JSON.stringify({
        merchants: {
          "acq-nl:M-100001": { label: "positive" },
          "acq-fr:M-300004": { label: "positive", typologies: ["card-testing"] },
          "acq-nl:M-100004": { label: "negative" },
          "acq-fr:M-300005": { label: "negative", note: "a subscription service we know" },
        },
      }),
    );
    const truth = labelsFromFile(file);
    expect(truth.merchants).toEqual({
      "acq-nl:M-100001": { label: "positive", typologies: [], detail: "positive" },
      "acq-fr:M-300004": { label: "positive", typologies: ["card-testing"], detail: "positive" },
      "acq-nl:M-100004": { label: "negative", typologies: [], detail: "negative" },
      "acq-fr:M-300005": { label: "negative", typologies: [], detail: "negative", note: "a subscription service we know" },
    });
    const rules = { name: "rules", ruleSet: loadRuleSet(DEFAULT_RULES) };
    const events = join(SAMPLE_DIR, "events.ndjson");
    const r = await backtest({ events: { name: events, batches: readLineBatches(events) }, baseline: rules, candidate: rules, indicators: loadIndicators(join(SAMPLE_DIR, "indicators")), truth });
    expect(r.labels).toMatchObject({ positives: 2, negatives: 2 });
    expect(r.overall.a).toMatchObject({ truePositives: 2, falsePositives: 0, precision: 1, recall: 1 });
  });

  it("takes the fixtures' labels.json as it is, and a file saved with a byte-order mark", () => {
    expect(Object.keys(labelsFromFile(join(SAMPLE_DIR, "labels.json")).merchants).length).toBeGreaterThan(70);
    expect(labelsFromFile(labelsFile('\uFEFF{"merchants": {"m-1.test": {"label": "positive"}}}')).merchants["m-1.test"]!.label).toBe("positive");
  });

  it("refuses JSON that does not parse with the file, line and column", () => {
    const file = labelsFile('{\n  "merchants": {\n    "m-1.test": { "label": "positive" },\n  }\n}\n');
    const err = refusal(file);
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: "(JSON syntax)", line: 4, col: 3 });
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, "\\$&")}:4:3: \\(JSON syntax\\): not valid JSON: `));
  });

  it("refuses a wrong label, a missing one and an unknown key by their paths, saying what is expected", () => {
    const file = labelsFile(
      JSON.stringify({ merchants: { "m-1.test": { label: "maybe" }, "m-2.test": { typologies: [] }, "m-3.test": { label: "positive", reviewer: "x" } } }),
    );
    const text = refusal(file).message;
    expect(text).toContain(`${file}: merchants.m-1.test.label: Invalid option: expected one of "positive"|"negative"|"benign"|"hard-negative"`);
    expect(text).toContain(`${file}: merchants.m-2.test.label: missing: this key is required (one of "positive"|"negative"|"benign"|"hard-negative")`);
    expect(text).toContain(`${file}: merchants.m-3.test: Unrecognized key: "reviewer"`);
  });

  it("says the first few problems of a file wrong everywhere, and how many more", () => {
    const merchants = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m-${i}.test`, { label: "yes" }]));
    const err = refusal(labelsFile(JSON.stringify({ merchants })));
    expect(err.issues).toHaveLength(6);
    expect(err.issues[5]).toEqual({ path: "(more)", message: "995 more problems like these" });
  });
});
