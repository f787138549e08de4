import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { loadRuleSet, type RuleSet } from "../src/rules/ruleset.js";
import { KINDS } from "../src/rules/registry.js";
import { ConfigError } from "../src/lib/errors.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { dedent } from "./helpers/events.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A rule-set directory with the given files (name -> YAML text, dedented). */
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mt-ruleset-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), dedent(text) + "\n");
  return dir;
}

function loadError(path: string): ConfigError {
  try {
    loadRuleSet(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError, the rule set loaded");
}

const SETTINGS = `
  ruleset:
    id: test-set
    scoring:
      alertAt: 60
      severity: { medium: 60, high: 75, critical: 90 }
`;

const KIND_NAMES = KINDS.map((k) => k.kind);

describe("the default pack", () => {
  let rs: RuleSet;
  it("validates", () => {
    rs = loadRuleSet(DEFAULT_RULES);
    expect(rs.id).toBe("efc-default");
    expect(rs.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(rs.files.map((f) => basename(f))).toEqual(["chargebacks.yaml", "descriptors.yaml", "identity.yaml", "ruleset.yaml", "sales.yaml", "sites.yaml"]);
    expect(rs.settings).toMatchObject({
      scoring: { alertAt: 60, severity: { medium: 60, high: 75, critical: 90 }, realertOnScoreRise: 15 },
      maxSharers: 25,
    });
    expect([...rs.highRiskMccs].sort()).toEqual(["4816", "5816", "5818", "5967", "6051", "7273", "7995"]);
  });

  it("has its rules sorted by id, each with a 12-hex version, and uses every kind", () => {
    rs = loadRuleSet(DEFAULT_RULES);
    expect(rs.rules.map((r) => `${r.id}:${r.kind.kind}:${r.weight}`)).toEqual([
      "card-testing:test-transactions:60",
      "cloaked-content:cloaked-content:45",
      "cross-border:cross-border:15",
      "descriptor-churn:descriptor-churn:30",
      "descriptor-keywords:descriptor-keywords:80",
      "early-warning-disputes:chargeback-ratio:40",
      "flagged-site-link:flagged-site-link:100",
      "fraud-reason-cluster:reason-cluster:20",
      "high-risk-mcc:high-risk-mcc:0",
      "listed-identifier:listed-identifier:90",
      "mastercard-ecp:chargeback-ratio:60",
      "shared-infrastructure:shared-infrastructure:60",
      "subscription-pattern:subscription-pattern:15",
      "undisclosed-referrers:undisclosed-referrers:45",
      "visa-vamp:chargeback-ratio:60",
    ]);
    for (const r of rs.rules) expect(r.version).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(rs.rules.map((r) => r.kind.kind))).toEqual(new Set(KIND_NAMES));
    expect(rs.byEvent["peer-flagged"].map((r) => r.id)).toEqual(["shared-infrastructure"]);
    // the windowed rules too: a crawl moves the merchant's windows on
    expect(rs.byEvent.site_observation.map((r) => r.id)).toEqual([
      "card-testing",
      "cloaked-content",
      "cross-border",
      "descriptor-churn",
      "early-warning-disputes",
      "flagged-site-link",
      "fraud-reason-cluster",
      "high-risk-mcc",
      "listed-identifier",
      "mastercard-ecp",
      "subscription-pattern",
      "undisclosed-referrers",
      "visa-vamp",
    ]);
  });

  it("applies defaults to parameters", () => {
    rs = loadRuleSet(DEFAULT_RULES);
    const fsl = rs.rules.find((r) => r.id === "flagged-site-link")!;
    expect(fsl.params).toEqual({ minConfidence: 50, criticalConfidence: 80, lookAlikeShare: 0.75, typedShare: 0.55, sources: ["websites", "checkout", "referrer", "crawl"] });
    const ur = rs.rules.find((r) => r.id === "undisclosed-referrers")!;
    expect(ur.params).toEqual({
      threshold: 0.25,
      minCheckouts: 40,
      topDomains: 3,
      concentration: 0.8,
      allowReferrers: ["search-engine.example", "social-network.example"],
    });
  });

  it("gives the same version loaded twice", () => {
    expect(loadRuleSet(DEFAULT_RULES).version).toBe(loadRuleSet(DEFAULT_RULES).version);
  });
});

describe("rule-set errors", () => {
  it("an unknown key names the file, the line and the key's path", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "rules.yaml": `
        rules:
          - id: cloak
            kind: cloaked-content
            weight: 45
            typology: disguised-site
            params:
              bogus: 1
      `,
    });
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, "rules.yaml"));
    expect(err.issues).toEqual([{ path: "rules[0].params.bogus", message: 'unknown key "bogus"', line: 7, col: 7 }]);
    expect(err.message).toBe(`${join(dir, "rules.yaml")}:7:7: rules[0].params.bogus: unknown key "bogus"`);
  });

  it("a share written as a percentage (70 for 70%) is refused with how to write it", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "rules.yaml": `
        rules:
          - id: xb
            kind: cross-border
            weight: 15
            typology: cross-border
            params: { threshold: 70, minTransactions: 20 }
      `,
    });
    expect(loadError(dir).issues).toEqual([expect.objectContaining({ path: "rules[0].params.threshold", message: "70 is more than 1: threshold is a share from 0 to 1 (for 70%, write threshold: 0.7)" })]);
  });

  it("a key left out is called missing, with the type it needs; a wrong value keeps zod's words", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "rules.yaml": `
        rules:
          - id: fsl
            kind: flagged-site-link
            typology: linked-to-flagged
            params: { minConfidence: 50, criticalConfidence: 80 }
          - id: cloak
            kind: cloaked-content
            weight: lots
            typology: disguised-site
            params: {}
      `,
    });
    const err = loadError(dir);
    expect(err.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "rules[0].weight: missing: this key is required (number)",
      'rules[1].weight: "lots" is text, not a number: write weight as a number, in digits',
    ]);
  });

  it("an unknown key beside a rule's fields, in the settings, or at the top level", () => {
    const rule = loadError(
      dirWith({
        "ruleset.yaml": `
          ${SETTINGS.trim().split("\n").join("\n          ")}
          rules:
            - id: cloak
              kind: cloaked-content
              wieght: 45
              typology: disguised-site
              params: {}
        `,
      }),
    );
    expect(rule.issues).toContainEqual({ path: "rules[0].wieght", message: 'unknown key "wieght" (did you mean "weight"?)', line: 9, col: 5 });
    // the key it meant is not said to be missing as well: fixing the spelling is the one fix
    expect(rule.issues.map((i) => i.path)).not.toContain("rules[0].weight");

    const settings = loadError(
      dirWith({
        "ruleset.yaml": `
          ruleset:
            id: test-set
            scoring:
              alertAt: 60
              severity: { medium: 60, high: 75, critical: 90 }
              realertOnScoreRaise: 10
        `,
      }),
    );
    expect(settings.issues).toEqual([{ path: "ruleset.scoring.realertOnScoreRaise", message: 'unknown key "realertOnScoreRaise" (did you mean "realertOnScoreRise"?)', line: 6, col: 5 }]);

    const top = loadError(dirWith({ "ruleset.yaml": `${dedent(SETTINGS)}\nrule: []` }));
    expect(top.issues).toEqual([{ path: "rule", message: 'unknown key "rule" (did you mean "rules"?)', line: 6, col: 1 }]);
  });

  it("an unknown key whose value is a block is reported on the key's own line", () => {
    const err = loadError(
      dirWith({
        "ruleset.yaml": SETTINGS,
        "rules.yaml": `
          rules:
            - id: fsl
              kind: flagged-site-link
              weight: 100
              typology: linked-to-flagged
              params:
                minConfidence: 50
                extra:
                  - websites
                  - crawl
        `,
      }),
    );
    expect(err.issues).toEqual([{ path: "rules[0].params.extra", message: 'unknown key "extra"', line: 8, col: 7 }]);
  });

  it("a bad value names the path, the reason and the line", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "sales.yaml": `
        rules:
          - id: xb
            kind: cross-border
            weight: 15
            typology: cross-border
            params: { threshold: 1.5, minTransactions: 50 }
          - id: churn
            kind: descriptor-churn
            weight: "thirty"
            typology: brand-churn
            params:
              distinct: 3
              withinDays: 30
      `,
    });
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, "sales.yaml"));
    expect(err.issues).toEqual([
      { path: "rules[0].params.threshold", message: "1.5 is more than 1: threshold is a share from 0 to 1 (for 1.5%, write threshold: 0.015)", line: 6, col: 26 },
      { path: "rules[1].weight", message: '"thirty" is text, not a number: write weight as a number, in digits', line: 9, col: 13 },
    ]);
  });

  it("a kind's own refinement is reported at its path", () => {
    const err = loadError(
      dirWith({
        "ruleset.yaml": SETTINGS,
        "r.yaml": `
          rules:
            - id: subs
              kind: subscription-pattern
              weight: 15
              typology: subscription-pattern
              params: { minMinor: 900, maxMinor: 900, threshold: 0.6, minSales: 30 }
        `,
      }),
    );
    expect(err.issues).toEqual([{ path: "rules[0].params.maxMinor", message: "maxMinor must be greater than minMinor", line: 6, col: 40 }]);
  });

  it("severity bands that do not rise from medium to high to critical are refused at the band", () => {
    const err = loadError(dirWith({ "ruleset.yaml": SETTINGS.replace("{ medium: 60, high: 75, critical: 90 }", "{ medium: 90, high: 75, critical: 60 }") }));
    expect(err.issues.map((i) => [i.path, i.message])).toEqual([
      ["ruleset.scoring.severity.high", "must be above medium (90): the bands rise from medium to high to critical"],
      ["ruleset.scoring.severity.critical", "must be above high (75): the bands rise from medium to high to critical"],
    ]);
  });

  it("an unknown kind lists the known kinds", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "sites.yaml": `
        rules:
          - id: links
            kind: flagged-sites
            weight: 100
            typology: linked-to-flagged
            params: {}
      `,
    });
    const err = loadError(dir);
    expect(err.issues).toEqual([
      {
        path: "rules[0].kind",
        message: `unknown rule kind "flagged-sites"; known kinds: ${KIND_NAMES.join(", ")}`,
        line: 3,
        col: 11,
      },
    ]);
    expect(KIND_NAMES).toHaveLength(13);
    for (const k of KIND_NAMES) expect(err.message).toContain(k);
  });

  it("a rule without a kind is refused", () => {
    const err = loadError(dirWith({ "ruleset.yaml": `${dedent(SETTINGS)}\nrules:\n  - { id: x, weight: 1, typology: t }` }));
    expect(err.issues).toEqual([{ path: "rules[0].kind", message: "missing: this key is required (string)", line: 7, col: 5 }]);
  });

  it("a duplicate rule id across files names both files", () => {
    const rule = (weight: number) => `
      rules:
        - id: cloak
          kind: cloaked-content
          weight: ${weight}
          typology: disguised-site
          params: {}
    `;
    const dir = dirWith({ "ruleset.yaml": SETTINGS, "a.yaml": rule(45), "b.yaml": rule(50) });
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, "b.yaml"));
    // where to look in both: the id's line in this file and in the other
    expect(err.issues).toEqual([{ path: "rules[0].id", message: 'rule id "cloak" is already used in a.yaml (line 2)', line: 2, col: 9 }]);
  });

  it("a duplicate rule id in one file, even of a disabled rule", () => {
    const dir = dirWith({
      "ruleset.yaml": `
        ${SETTINGS.trim().split("\n").join("\n        ")}
        rules:
          - { id: cloak, kind: cloaked-content, weight: 45, typology: t, params: {}, enabled: false }
          - { id: cloak, kind: cloaked-content, weight: 45, typology: t, params: {} }
      `,
    });
    expect(loadError(dir).issues).toEqual([{ path: "rules[1].id", message: `rule id "cloak" is already used in ruleset.yaml (line 7)`, line: 8, col: 11 }]);
  });

  it("no `ruleset:` section", () => {
    const dir = dirWith({ "rules.yaml": "rules: []" });
    const err = loadError(dir);
    expect(err.file).toBe(dir);
    expect(err.issues).toEqual([{ path: "ruleset", message: "no file has a `ruleset:` section (id, scoring); add one" }]);
  });

  it("two `ruleset:` sections", () => {
    const dir = dirWith({ "a.yaml": SETTINGS, "b.yaml": SETTINGS, "c.yaml": "rules: []" });
    const err = loadError(dir);
    expect(err.issues).toEqual([{ path: "ruleset", message: "only one file may have a `ruleset:` section; found in a.yaml, b.yaml" }]);
  });

  it("a YAML syntax error names the line", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "broken.yaml": `
        rules:
          - id: cloak
            kind: cloaked-content
            weight: [45
            typology: disguised-site
      `,
    });
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, "broken.yaml"));
    // the first YAML error only (the rest follow from the unclosed bracket), its place not repeated in the message
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]!.path).toBe("(YAML syntax)");
    expect(err.issues[0]!.message).toMatch(/[^:]$/);
    expect(err.issues[0]!.message).not.toMatch(/at line \d+, column/);
    expect(err.issues[0]!.line).toBeGreaterThanOrEqual(4);
    expect(err.issues[0]!.line).toBeLessThanOrEqual(6);
    expect(err.message).toMatch(new RegExp(`^${join(dir, "broken.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:[4-6]:\\d+: \\(YAML syntax\\): `));
  });

  it("an unclosed { is refused at its own line, not where the parser noticed it (the next rule)", () => {
    const text = ["rules:", "  - id: cloak", "    kind: cloaked-content", "    weight: 45", "    typology: disguised-site", "    params: { a: 1", "", "  - id: other", "    kind: cloaked-content", "    weight: 45", "    typology: disguised-site", ""].join("\n");
    const err = loadError(dirWith({ "ruleset.yaml": SETTINGS, "broken.yaml": text }));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ path: "(YAML syntax)", line: 6, col: 13 });
    expect(err.issues[0]!.message).toMatch(/^this \{ is not closed: end it with \} \(noticed at line 8: .*\)/);
  });

  it("a duplicate key is refused at its second line, naming the key and its first line", () => {
    const dir = dirWith({
      "ruleset.yaml": `
        ruleset:
          id: test-set
          id: other-set
          scoring: { alertAt: 60, severity: { medium: 60, high: 75, critical: 90 } }
      `,
    });
    const err = loadError(dir);
    expect(err.issues[0]).toMatchObject({ path: "ruleset.id", line: 3 });
    expect(err.issues[0]!.message).toMatch(/^given twice, at lines 2 and 3/);
  });

  it.each([
    ["a list", "- a\n- b"],
    ["a scalar", "just words"],
  ])("a file that is not a mapping (%s)", (_name, text) => {
    const err = loadError(dirWith({ "ruleset.yaml": SETTINGS, "other.yaml": text }));
    expect(err.issues).toEqual([{ path: "", message: "expected a mapping with `ruleset:` and/or `rules:`", line: 1 }]);
  });

  it("an empty file is no rules", () => {
    const rs = loadRuleSet(dirWith({ "ruleset.yaml": SETTINGS, "empty.yaml": "# nothing yet" }));
    expect(rs.rules).toEqual([]);
  });

  it("a directory without YAML files", () => {
    const dir = dirWith({ "README.txt": "nothing here" });
    expect(loadError(dir).issues).toEqual([{ path: "", message: "no .yaml files in this directory" }]);
  });

  it("never half-loads: one bad file refuses the whole set", () => {
    const dir = dirWith({
      "ruleset.yaml": SETTINGS,
      "good.yaml": "rules:\n  - { id: cloak, kind: cloaked-content, weight: 45, typology: t, params: {} }",
      "zbad.yaml": "rules:\n  - { id: xb, kind: cross-border, weight: 15, typology: t, params: {} }",
    });
    const err = loadError(dir);
    expect(err.file).toBe(join(dir, "zbad.yaml"));
    expect(err.issues.map((i) => i.path).sort()).toEqual(["rules[0].params.minTransactions", "rules[0].params.threshold"]);
  });
});

describe("rule-set version", () => {
  /** a copy of the default pack with some files' text changed */
  function packWith(change: (name: string, text: string) => string): RuleSet {
    const files: Record<string, string> = {};
    for (const name of readdirSync(DEFAULT_RULES).filter((f) => f.endsWith(".yaml"))) {
      files[name] = change(name, readFileSync(join(DEFAULT_RULES, name), "utf8"));
    }
    const dir = mkdtempSync(join(tmpdir(), "mt-pack-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return loadRuleSet(dir);
  }
  const base = () => loadRuleSet(DEFAULT_RULES);

  it("is stable across comment and whitespace changes", () => {
    const rs = packWith((_n, text) =>
      text
        .split("\n")
        .filter((l) => !/^\s*#/.test(l))
        .map((l) => l.replace(/\s+#.*$/, "").replace(/\s+$/, ""))
        .join("\n\n")
        .replace(/^/, "# a new comment\n\n"),
    );
    expect(rs.version).toBe(base().version);
  });

  it("is stable across layout: flow or block style, quoting, and a default written out", () => {
    const rs = packWith((name, text) =>
      name === "descriptors.yaml"
        ? text
            .replace("params: { distinct: 3, withinDays: 30 }", "params:\n      withinDays: 30\n      distinct: 3")
            .replace("id: descriptor-churn", 'id: "descriptor-churn"\n    enabled: true')
        : text,
    );
    expect(rs.version).toBe(base().version);
    expect(rs.rules.map((r) => r.version)).toEqual(base().rules.map((r) => r.version));
  });

  it("is stable when a rule moves to another file or the rules are reordered", () => {
    const block = (text: string) => text.slice(text.indexOf("  - id: card-testing"));
    const rs = packWith((name, text) => {
      const sales = readFileSync(join(DEFAULT_RULES, "sales.yaml"), "utf8");
      if (name === "sales.yaml") return text.slice(0, text.indexOf("  - id: card-testing"));
      if (name === "sites.yaml") return text.replace("rules:\n", `rules:\n${block(sales)}\n`);
      return text;
    });
    expect(rs.rules.map((r) => r.id)).toEqual(base().rules.map((r) => r.id));
    expect(rs.version).toBe(base().version);
  });

  it("changes when a threshold changes, and only that rule's version changes", () => {
    const rs = packWith((name, text) => (name === "sales.yaml" ? text.replace("threshold: 0.7, minTransactions: 50", "threshold: 0.71, minTransactions: 50") : text));
    expect(rs.version).not.toBe(base().version);
    const changed = rs.rules.filter((r, i) => r.version !== base().rules[i]!.version).map((r) => r.id);
    expect(changed).toEqual(["cross-border"]);
  });

  it("changes when a weight, a scoring setting or the high-risk list changes, or a rule is disabled", () => {
    const v = base().version;
    expect(packWith((n, t) => (n === "sites.yaml" ? t.replace("weight: 45\n    typology: disguised-site", "weight: 46\n    typology: disguised-site") : t)).version).not.toBe(v);
    expect(packWith((n, t) => (n === "ruleset.yaml" ? t.replace("alertAt: 60", "alertAt: 61") : t)).version).not.toBe(v);
    expect(packWith((n, t) => (n === "ruleset.yaml" ? t.replace('"5818"]', '"5818", "5816"]').replace('"5816", "6051"', '"6051"') : t)).version).not.toBe(v);
    const disabled = packWith((n, t) => (n === "sales.yaml" ? t.replace("id: cross-border\n", "id: cross-border\n    enabled: false\n") : t));
    expect(disabled.rules.map((r) => r.id)).not.toContain("cross-border");
    expect(disabled.version).not.toBe(v);
  });
});
