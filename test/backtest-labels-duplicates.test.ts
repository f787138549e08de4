// A labels file that lists a merchant twice is refused, naming both lines: JSON.parse keeps only the last, so one of
// the two labels was dropped without a word (a positive listed again as negative scored as a false positive).
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labelsFromFile } from "../src/app/backtest.js";
import { ConfigError } from "../src/lib/errors.js";

function labelsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "mt-labels-dup-")), "labels.json");
  writeFileSync(file, text);
  return file;
}

describe("backtest --labels: a key given twice", () => {
  it("refuses a merchant listed twice with both lines", () => {
    const file = labelsFile(
      [
        "{",
        '  "merchants": {',
        '    "m-1.test": { "label": "positive" },',
        '    "m-2.test": { "label": "negative" },',
        '    "m-1.test": { "label": "negative" }',
        "  }",
        "}",
      ].join("\n"),
    );
    expect(() => labelsFromFile(file)).toThrow(ConfigError);
    expect(() => labelsFromFile(file)).toThrow(`${file}:5:5: merchants.m-1.test: given twice, at lines 3 and 5: JSON keeps only the last; keep one of them`);
  });

  it("sees the same key however it is escaped, and a key twice inside a merchant", () => {
    const file = labelsFile('{"merchants": {\n"m-1.test": {"label": "positive",\n "label": "negative"},\n"m-\\u0031.test": {"label": "positive"}}}');
    const issues = (() => {
      try {
        labelsFromFile(file);
      } catch (err) {
        return (err as ConfigError).issues;
      }
      throw new Error("taken");
    })();
    expect(issues).toEqual([
      { path: "merchants.m-1.test.label", line: 3, col: 2, message: "given twice, at lines 2 and 3: JSON keeps only the last; keep one of them" },
      { path: "merchants.m-1.test", line: 4, col: 1, message: "given twice, at lines 2 and 4: JSON keeps only the last; keep one of them" },
    ]);
  });

  it("takes a file whose keys are each given once, the same key in different merchants too", () => {
    const file = labelsFile(JSON.stringify({ merchants: { "m-1.test": { label: "positive", note: "n" }, "m-2.test": { label: "negative", note: "n" } } }, null, 2));
    expect(Object.keys(labelsFromFile(file).merchants)).toEqual(["m-1.test", "m-2.test"]);
  });
});
