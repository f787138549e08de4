// A rule set is a directory of YAML files: one holds `ruleset:` (id, scoring, shared lists), any may hold
// `rules:`. Validated with zod; every error names the file, the line, the path inside it and the reason.
// Its version is the sha256 of its validated content, so comments and layout do not make a new version.
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { CST, LineCounter, Parser, parseDocument, isMap, isScalar, type Document, type YAMLError } from "yaml";
import { pct, ruleBase, type RuleKind, type RuleMode, type TriggerType } from "./kind.js";
import { canonicalJson } from "../lib/canonical-json.js";
import { sha256Hex } from "../lib/hash.js";
import { KINDS, KIND_BY_NAME } from "./registry.js";
import { duplicateKeys } from "./duplicate-keys.js";
import { didYouMean, meant } from "../lib/did-you-mean.js";
import { ContextRules } from "../scoring/score.js";
import { ConfigError, formatIssue, formatPath, missingKeyOf, readTextFile, type ConfigIssue } from "../lib/errors.js";

const Severity = z
  .strictObject({
    medium: z.number().min(0).max(100),
    high: z.number().min(0).max(100),
    critical: z.number().min(0).max(100),
  })
  // inverted bands would make every alert critical without a word
  .superRefine((s, ctx) => {
    if (s.high <= s.medium) ctx.addIssue({ code: "custom", path: ["high"], message: `must be above medium (${s.medium}): the bands rise from medium to high to critical` });
    if (s.critical <= s.high) ctx.addIssue({ code: "custom", path: ["critical"], message: `must be above high (${s.high}): the bands rise from medium to high to critical` });
  });

export const RuleSetSettings = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, dots and dashes"),
  description: z.string().optional(),
  scoring: z.strictObject({
    /** a merchant whose score reaches this is alerted */
    alertAt: z.number().min(1).max(100),
    /** score at which each severity begins; below medium an alert is "low" */
    severity: Severity,
    /** a new alert for an already alerted merchant needs a new rule, a new indicator, or a higher severity */
    realertOnScoreRise: z.number().min(1).max(100).default(15),
    /** rules whose signals add to other evidence but not among themselves */
    contextRules: ContextRules.optional(),
  }),
  highRiskMccs: z.array(z.string().regex(/^\d{4}$/, "an MCC has 4 digits")).default([]),
  /** merchants sharing one infrastructure key beyond this count make it common infrastructure */
  maxSharers: z.number().int().min(2).max(1000).default(25),
});
export type RuleSetSettings = z.infer<typeof RuleSetSettings>;

const RuleShape = z.looseObject({ kind: z.string() });

const RuleFile = z.strictObject({
  ruleset: RuleSetSettings.optional(),
  rules: z.array(RuleShape).optional(),
});

export interface CompiledRule {
  id: string;
  /** position in the set: where this rule's slot sits in a merchant's state */
  index: number;
  kind: RuleKind<unknown, unknown>;
  /**
   * kind.evaluate, held on the rule: every rule has this shape, so the engine's call per rule and event reads it in
   * one step, where kind.evaluate is a lookup among the kinds' differently shaped objects (no kind reads `this`)
   */
  evaluate: RuleKind<unknown, unknown>["evaluate"];
  params: unknown;
  weight: number;
  typology: string;
  description?: string;
  mode: RuleMode;
  /** short content hash of this rule's configuration */
  version: string;
}

export interface RuleSet {
  id: string;
  /** sha256: of the validated content */
  version: string;
  settings: RuleSetSettings;
  rules: CompiledRule[];
  byId: ReadonlyMap<string, CompiledRule>;
  byEvent: Record<TriggerType, CompiledRule[]>;
  highRiskMccs: ReadonlySet<string>;
  files: string[];
  /** rules left out of the set with `enabled: false` */
  disabled: string[];
  /** each value taken that is most likely a mistake (a weight under one point, RuleKind.doubts), where it is */
  doubts: Doubt[];
  /** files (names) with no rule, besides the one with `ruleset:`: an empty file is allowed, but may be a mistake */
  ruleless: string[];
}

/** A value that validates but is most likely a mistake: taken, as a test or an odd business may mean it, and said. */
export type Doubt = ConfigIssue & { file: string };
/** `file:line:col: path: message`, as `rules validate`, the Rules page and a backtest say it */
export const doubtText = (d: Doubt): string => formatIssue(d.file, d);

/**
 * A rule's doubts, each at its path under the rule: a weight under one point (0.4, a share where points go, adds 0.4
 * of a score's 100), and its kind's (RuleKind.doubts, under params).
 */
function ruleDoubts(weight: number, kind: RuleKind<unknown, unknown>, params: unknown): { path: (string | number)[]; message: string }[] {
  const share = underOnePoint("weight", weight);
  return [...(share ? [{ path: ["weight"], message: share }] : []), ...(kind.doubts?.(params) ?? []).map((d) => ({ path: ["params", ...d.path], message: d.message }))];
}

/** Validates one rule (the object under `rules[i]`) against its kind's schema. */
function ruleSchema(kind: RuleKind<unknown, unknown>) {
  return z.strictObject({ ...ruleBase, kind: z.literal(kind.kind), params: kind.params });
}

function locate(doc: Document, lines: LineCounter, path: (string | number)[]): { line?: number; col?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, col: pos.col };
    }
  }
  return {};
}

/** The position of the key a path ends in (not of its value, which may start on a later line). */
function locateKey(doc: Document, lines: LineCounter, path: (string | number)[]): { line?: number; col?: number } {
  const parent = doc.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
    const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const pos = lines.linePos(range[0]);
      return { line: pos.line, col: pos.col };
    }
  }
  return locate(doc, lines, path);
}

// the unit a key's name gives its number in, and how a person writes that unit after a number ("30days", "30 d")
const UNITS: { key: RegExp; unit: string; written: RegExp }[] = [
  { key: /Days$/, unit: "days", written: /^d(ays?)?$/i },
  { key: /Minutes$/, unit: "minutes", written: /^m(in(ute)?s?)?$/i },
  { key: /Minor$/, unit: "minor units (9.00 EUR is 900)", written: /^$/ },
];

/** the numbers of a rule file that are points of a score, where a percentage is not a share, with what they are */
const POINTS = new Map([
  ["weight", "weights are points from 0 to 100"],
  ["alertAt", "a score is in points from 1 to 100"],
  ["realertOnScoreRise", "a score is in points from 1 to 100"],
  ...["medium", "high", "critical"].map((band) => [band, "a score's bands are points from 0 to 100"] as const),
]);

/** Said of a number of points written as a share (weight: 0.4, alertAt: 0.6): it counts 0.4 of 100 points. */
const underOnePoint = (key: string, v: number): string | undefined =>
  v > 0 && v < 1 && POINTS.has(key) ? `${v} is under one point: ${POINTS.get(key)}, not a share (for ${pct(v)}, write ${key}: ${Number((v * 100).toPrecision(12))})` : undefined;

/**
 * How to write text a person put where a number or true/false goes: "30days", "1%", "1,500", a quoted "0.25", or
 * YAML 1.1's no/yes/on/off (text in YAML 1.2), a word ("three"); and a number where text goes (an MCC). Undefined for
 * other issues.
 */
function textHint(i: z.core.$ZodIssue, key: string | number | undefined, node: unknown): string | undefined {
  if (i.code !== "invalid_type" || !isScalar(node)) return undefined;
  const value = node.value;
  // unquoted, an MCC is a number to YAML (0742 would be 742): said as written
  if (i.expected === "string" && typeof value === "number") return `${node.source ?? value} is read as a number, where text goes: write it in quotes ("${node.source ?? value}")`;
  if (i.expected === "int" && typeof value === "number") {
    const unit = UNITS.find((u) => typeof key === "string" && u.key.test(key));
    return `${value} is not a whole number: write ${key} as a whole number${unit ? ` of ${unit.unit}` : ""}`;
  }
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  if (i.expected === "boolean") {
    const b = /^(y|yes|on|true)$/i.test(v) ? true : /^(n|no|off|false)$/i.test(v) ? false : undefined;
    return `"${value}" is text, not true or false: write ${b === undefined ? `${key}: true or ${key}: false` : `${key}: ${b}`}`;
  }
  if (i.expected !== "number") return undefined;
  const text = `"${value}" is text, not a number`;
  if (v !== "" && Number.isFinite(Number(v))) return `${text} (it is in quotes): write it without quotes (${key}: ${Number(v)})`;
  if (/^\d{1,3}(?:[,_ ]\d{3})+(?:\.\d+)?$/.test(v)) return `${text}: write it without separators (${key}: ${Number(v.replace(/[,_ ]/g, ""))})`;
  const percent = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(v);
  // weights and scores are points (0-100), not shares
  if (percent && typeof key === "string" && POINTS.has(key)) return `${text}: ${key} is in points, not a share: write ${key}: ${percent[1]}`;
  if (percent) return `${text}: write a percentage as a share from 0 to 1 (${key}: ${Number((Number(percent[1]) / 100).toPrecision(12))})`;
  const withUnit = /^(-?\d+(?:\.\d+)?)\s*([a-z][a-z ]*)$/i.exec(v);
  if (!withUnit) return `${text}: write ${key} as a number, in digits`;
  const unit = UNITS.find((u) => typeof key === "string" && u.key.test(key));
  if (!unit) return `${text}: write a plain number (${key}: ${withUnit[1]})`;
  // the number alone is right only in the key's own unit: "1h" in withinMinutes is 60
  return `${text}: write a plain number of ${unit.unit} (${key}${unit.written.test(withUnit[2]!.trim()) ? `: ${withUnit[1]}` : ""})`;
}

/** How a union's branch is said in a refusal: its values, or what type it takes. */
function branchText(issues: readonly z.core.$ZodIssue[]): string | undefined {
  const i = issues.find((x) => x.path.length === 0);
  if (i?.code === "invalid_value") return z.core.util.joinValues(i.values, " or ");
  if (i?.code !== "invalid_type") return undefined;
  return ({ array: "a list", number: "a number", string: "text", boolean: "true or false", object: "a mapping" } as Record<string, string>)[i.expected] ?? i.expected;
}

/**
 * A value that is none of the words (or the branches of a union: a word or a list) a key takes: zod's "Invalid input"
 * names none. Says what each branch is, and the word the value most likely meant. Undefined for other issues.
 */
function choiceHint(i: z.core.$ZodIssue, key: string | number | undefined, node: unknown): string | undefined {
  const value = isScalar(node) ? node.value : undefined;
  const words = (values: readonly unknown[]) => values.filter((x): x is string => typeof x === "string");
  if (i.code === "invalid_value") return typeof value === "string" && didYouMean(value, words(i.values)) ? `${i.message}${didYouMean(value, words(i.values))}` : undefined;
  if (i.code !== "invalid_union" || !("errors" in i)) return undefined;
  const branches = i.errors.map(branchText);
  if (branches.some((b) => b === undefined)) return undefined;
  const literals = words(i.errors.flatMap((e) => e.flatMap((x) => (x.code === "invalid_value" && x.path.length === 0 ? x.values : []))));
  const shown = typeof value === "string" ? `"${value}"` : String(value ?? "this value");
  return `${shown} is none of what ${key} takes: ${branches.join(" or ")}${typeof value === "string" ? didYouMean(value, literals) : ""}`;
}

/**
 * A number out of its key's range, with the bound and what the key counts: zod's own "Too big: expected number to be
 * <=100" reads as code; a share over 1, with the share it most likely meant. Undefined for other issues.
 */
function rangeHint(i: z.core.$ZodIssue, key: string | number | undefined, node: unknown): string | undefined {
  // only shares go up to 1: over it is most likely a percentage (threshold: 70, ratio: 1.5), said as the share it meant
  if (i.code === "too_big" && Number(i.maximum) === 1 && isScalar(node) && typeof node.value === "number")
    return `${node.source ?? node.value} is more than 1: ${key} is a share from 0 to 1 (for ${node.value}%, write ${key}: ${Number((node.value / 100).toPrecision(12))})`;
  if ((i.code !== "too_big" && i.code !== "too_small") || !/^Too (big|small): expected number/.test(i.message) || !isScalar(node) || typeof node.value !== "number") return undefined;
  const bound = Number(i.code === "too_big" ? i.maximum : i.minimum);
  const big = i.code === "too_big";
  // an exclusive bound (a share above 0) is not a value the key takes
  const range = i.inclusive ? `is ${big ? "more" : "less"} than ${bound}, the ${big ? "most" : "least"} ${key} takes` : `is not ${big ? "under" : "above"} ${bound}: ${key} takes a number ${big ? "under" : "above"} it`;
  const what = typeof key === "string" ? POINTS.get(key) : undefined;
  return `${node.source ?? node.value} ${range}${what ? `: ${what}` : ""}`;
}

/** What to write for a value refused as it is (textHint, a share where points go, choiceHint, rangeHint); undefined when none applies. */
function valueHint(i: z.core.$ZodIssue, key: string | number | undefined, node: unknown): string | undefined {
  const points = i.code === "too_small" && typeof key === "string" && isScalar(node) && typeof node.value === "number" ? underOnePoint(key, node.value) : undefined;
  return textHint(i, key, node) ?? points ?? choiceHint(i, key, node) ?? rangeHint(i, key, node);
}

/** The keys an object schema has at a path inside `schema` (through lists, optional and default values); undefined elsewhere. */
function keysAt(schema: z.core.$ZodType, path: readonly (string | number)[]): string[] | undefined {
  let s: z.core.$ZodType | undefined = schema;
  const unwrap = () => {
    while (s && (s._zod.def.type === "optional" || s._zod.def.type === "default")) s = (s._zod.def as z.core.$ZodOptionalDef).innerType;
  };
  for (const seg of path) {
    unwrap();
    const def: z.core.$ZodTypeDef | undefined = s?._zod.def;
    if (def?.type === "object") s = (def as z.core.$ZodObjectDef).shape[seg];
    else if (def?.type === "array" && typeof seg === "number") s = (def as z.core.$ZodArrayDef).element;
    else return undefined;
  }
  unwrap();
  return s?._zod.def.type === "object" ? Object.keys((s._zod.def as z.core.$ZodObjectDef).shape) : undefined;
}

/**
 * Where a key written at the wrong level goes: a rule's own key under its params (mode: shadow there, enabled: false on a
 * level of them), or one of its params beside weight; undefined for any other key. `path` is the object the key is in, inside `schema`.
 */
function misplaced(key: string, schema: z.core.$ZodType, path: readonly (string | number)[], kind: unknown): string | undefined {
  const params = path.indexOf("params");
  if (params >= 0 && keysAt(schema, path.slice(0, params))?.includes(key)) return "a key of the rule itself: write it beside weight, not under params";
  if (keysAt(schema, [...path, "params"])?.includes(key)) return `one of the params of ${typeof kind === "string" ? `kind ${kind}` : "its kind"}: write it under params`;
  return undefined;
}

function issuesFrom(error: z.ZodError, schema: z.core.$ZodType, prefix: (string | number)[], doc: Document, lines: LineCounter): ConfigIssue[] {
  // a key left out that an unknown key beside it most likely meant (a misspelling): said once, by the unknown key
  const meantKeys = new Set(
    error.issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys.flatMap((k) => meant(k, keysAt(schema, i.path as (string | number)[]) ?? []) ?? []).map((m) => formatPath([...i.path, m])) : [])),
  );
  const issues = error.issues.filter((i) => !(meantKeys.has(formatPath(i.path)) && !doc.hasIn([...prefix, ...(i.path as (string | number)[])])));
  return issues.map((i) => {
    const path = [...prefix, ...(i.path as (string | number)[])];
    // point at the offending key itself, not at the object holding it
    const keys = i.code === "unrecognized_keys" ? i.keys : [];
    const at = keys.length === 1 ? [...path, keys[0]!] : path;
    const known = keysAt(schema, i.path as (string | number)[]) ?? [];
    const message =
      i.code === "unrecognized_keys"
        ? `unknown key${keys.length > 1 ? "s" : ""} ${keys
            .map((k) => {
              const where = misplaced(k, schema, i.path as (string | number)[], doc.getIn([...prefix, "kind"]));
              return `"${k}"${where ? ` (${where})` : didYouMean(k, known)}`;
            })
            .join(", ")}`
        : ((doc.hasIn(path) ? valueHint(i, path[path.length - 1], doc.getIn(path, true)) : missingKeyOf(i)) ?? i.message);
    return { path: formatPath(at), message, ...(keys.length === 1 ? locateKey(doc, lines, at) : locate(doc, lines, path)) };
  });
}

interface ParsedFile {
  file: string;
  settings?: RuleSetSettings;
  /** `at`: where the rule's id is, for errors about the set as a whole (an id used twice) */
  rules: { rule: z.infer<ReturnType<typeof ruleSchema>>; index: number; at: { line?: number; col?: number } }[];
  doubts: Doubt[];
  /** where a path inside the file is, for errors about the set as a whole */
  at: (path: (string | number)[]) => { line?: number; col?: number };
}

/** The first { or [ before `before` (an offset) that the parser found no end for, from yaml's own syntax tree. */
function unclosedBracket(text: string, lines: LineCounter, before: number): { source: string; line: number; col: number } | undefined {
  let found: { source: string; offset: number } | undefined;
  for (const token of new Parser().parse(text)) {
    if (token.type !== "document") continue;
    CST.visit(token, ({ value }) => {
      if (found || value?.type !== "flow-collection" || value.start.offset >= before) return;
      if (!value.end.some((t) => t.type === "flow-map-end" || t.type === "flow-seq-end")) found = value.start;
    });
  }
  return found && { source: found.source, ...lines.linePos(found.offset) };
}

/**
 * The key line a parser error most likely comes from a wrong indentation of, its column and that of the key line
 * above it; undefined when the error is not of that sort or the two start in one column. Indented less, the parser
 * reports the line itself ("Sequence item without - indicator", or "All mapping items must start at the same
 * column"); indented more, it reads the line as part of the value above and reports the line above.
 */
function misindented(text: string, e: YAMLError): { line: number; col: number; above: number } | undefined {
  const at = e.linePos?.[0].line;
  if (at === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  const line = e.code === "MISSING_CHAR" || e.code === "BAD_INDENT" ? at : e.code === "BLOCK_AS_IMPLICIT_KEY" ? at + 1 : undefined;
  // a key's column, after the "- " of a sequence item
  const key = (n: number) => {
    const m = /^( *(?:- +)?)[^\s#-][^:#]*:(?:\s|$)/.exec(lines[n - 1] ?? "");
    return m && m[1]!.length + 1;
  };
  if (line === undefined || !key(line)) return undefined;
  let above = line - 1;
  while (above > 0 && /^\s*(?:#.*)?$/.test(lines[above - 1]!)) above--;
  const a = key(above);
  // "Nested mappings…" has other causes (a colon in a value): only a line indented more is taken for this one
  if (!a || a === key(line) || (line !== at && key(line)! < a)) return undefined;
  return { line, col: key(line)!, above: a };
}

/**
 * A rule's id given twice is a rule written without its "- ", read as the rule above given again: said once, at its
 * id, in place of each of its keys given twice, whose advice (remove one) would lose the rule.
 */
function rulesRunTogether(text: string, issues: ConfigIssue[]): ConfigIssue[] {
  const lines = text.split(/\r?\n/);
  const rules = new Set(issues.flatMap((i) => /^(rules\[\d+\])\.id$/.exec(i.path)?.[1] ?? []));
  return issues.flatMap((i) => {
    const rule = /^(rules\[\d+\])\.[^.[]+$/.exec(i.path)?.[1];
    if (!rule || !rules.has(rule)) return [i];
    if (!i.path.endsWith(".id")) return [];
    const keys = issues.filter((j) => j.path.startsWith(`${rule}.`) && !j.path.slice(rule.length + 1).includes(".")).map((j) => j.path.slice(rule.length + 1));
    const id = (lines[i.line! - 1] ?? "").trim();
    return [
      {
        path: rule,
        line: i.line,
        col: i.col,
        message: `a second rule starts here without the "- " that begins each rule, so its keys read as the rule above's given again (${keys.join(", ")}): write "- ${id}", the "- " where the rule above has it`,
      },
    ];
  });
}

function parseFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  // the parser's "Map keys must be unique" names neither the key nor where it was first
  if (doc.errors.length && doc.errors.every((e) => e.code === "DUPLICATE_KEY")) throw new ConfigError(file, rulesRunTogether(text, duplicateKeys(text, "the file is refused until one of them is removed")));
  if (doc.errors.length) {
    // the parser's later errors mostly follow from its first (an unclosed bracket makes every line after it wrong),
    // so the first is the one to fix; its message already has its place, given here as line and column
    const [e, ...rest] = doc.errors;
    // the parser's advice for several documents is for programmers (parseAllDocuments); its word on a tab says not what to write
    const said = e!.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    const first =
      e!.code === "MULTIPLE_DOCS"
        ? "holds more than one YAML document: remove the `---` line (a rule file is one document)"
        : e!.code === "TAB_AS_INDENT"
          ? `${said}: indent with spaces (YAML takes no tab there)`
          : said;
    const more = rest.length ? ` (${rest.length} more YAML errors after it, most likely caused by it)` : "";
    // the parser notices an unclosed { or [ only where the next key begins, often a rule further on: the bracket is
    // where the fix goes
    const open = unclosedBracket(text, lines, e!.pos[0]);
    if (open)
      throw new ConfigError(file, [
        { path: "(YAML syntax)", message: `this ${open.source} is not closed: end it with ${open.source === "{" ? "}" : "]"} (noticed at line ${e!.linePos?.[0].line}: ${first})${more}`, line: open.line, col: open.col },
      ]);
    // `weight:30` is one plain word to YAML, which then finds a key over two lines: said as the missing space
    const at = e!.linePos?.[0];
    const glued = e!.code === "MULTILINE_IMPLICIT_KEY" && at ? /^\s*(?:- +)?(([A-Za-z][\w-]*):(\S.*?))\s*$/.exec(text.split(/\r?\n/)[at.line - 1] ?? "") : null;
    if (glued)
      throw new ConfigError(file, [
        { path: "(YAML syntax)", message: `"${glued[1]}" has no space after its colon, so it is not read as a key and its value: write ${glued[2]}: ${glued[3]}`, line: at!.line, col: at!.col },
      ]);
    const indent = misindented(text, e!);
    if (indent)
      throw new ConfigError(file, [
        {
          path: "(YAML syntax)",
          message: `${first}: this key starts in column ${indent.col} and the key on the line above in column ${indent.above}: keys of one mapping start in one column; check this line's indentation against the line above${more}`,
          line: indent.line,
          col: indent.col,
        },
      ]);
    throw new ConfigError(file, [{ path: "(YAML syntax)", message: `${first}${more}`, line: e!.linePos?.[0].line, col: e!.linePos?.[0].col }]);
  }
  if (!isMap(doc.contents) && doc.contents !== null) {
    throw new ConfigError(file, [{ path: "", message: "expected a mapping with `ruleset:` and/or `rules:`", line: 1 }]);
  }
  const top = RuleFile.safeParse(doc.toJS() ?? {});
  if (!top.success) throw new ConfigError(file, issuesFrom(top.error, RuleFile, [], doc, lines));
  const issues: ConfigIssue[] = [];
  const rules: ParsedFile["rules"] = [];
  const doubts: Doubt[] = [];
  (top.data.rules ?? []).forEach((raw, index) => {
    const kind = KIND_BY_NAME.get(raw.kind);
    if (!kind) {
      issues.push({
        path: formatPath(["rules", index, "kind"]),
        message: `unknown rule kind "${raw.kind}"${didYouMean(raw.kind, KINDS.map((k) => k.kind))}; known kinds: ${KINDS.map((k) => k.kind).join(", ")}`,
        ...locate(doc, lines, ["rules", index, "kind"]),
      });
      return;
    }
    const schema = ruleSchema(kind);
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      rules.push({ rule: parsed.data, index, at: locate(doc, lines, ["rules", index, "id"]) });
      for (const d of ruleDoubts(parsed.data.weight, kind, parsed.data.params)) {
        const at = ["rules", index, ...d.path];
        doubts.push({ file, path: formatPath(at), message: d.message, ...locate(doc, lines, at) });
      }
    } else issues.push(...issuesFrom(parsed.error, schema, ["rules", index], doc, lines));
  });
  if (issues.length) throw new ConfigError(file, issues);
  // bands of 0.6, 0.75 and 0.9 validate, and make every alert critical
  for (const [band, v] of Object.entries(top.data.ruleset?.scoring.severity ?? {})) {
    const message = underOnePoint(band, v);
    const at = ["ruleset", "scoring", "severity", band];
    if (message) doubts.push({ file, path: formatPath(at), message, ...locate(doc, lines, at) });
  }
  return { file, settings: top.data.ruleset, rules, doubts, at: (path) => locate(doc, lines, path) };
}


/**
 * The files of a directory that belong to its rule set; only these are read (so an upper-case .YAML is not, nor a
 * hidden file: an editor's lock file, `.#sites.yaml` (a link to nothing while Emacs has the file changed), or the
 * `._sites.yaml` macOS writes beside each file it copies to a shared volume or into an archive).
 */
export const isRuleFileName = (name: string): boolean => /^[^.].*\.ya?ml$/.test(name);

/**
 * Refuses a change that would leave no rule in force where `current` has some (every file emptied, every rule
 * `enabled: false`): valid as a set, but put in force it unflags every merchant and raises no alert, without an error
 * anywhere. A set with no rule from the start (a replay, a test) is not a change and stays allowed.
 */
export function checkNotEmptied(next: RuleSet, current: RuleSet | undefined, where: string): void {
  if (next.rules.length > 0 || !current?.rules.length) return;
  throw new ConfigError(
    where,
    [
      {
        path: "",
        message: `the changed set has no rule in force (${next.disabled.length ? `${next.disabled.length} turned off with enabled: false` : "no file holds one"}), where the set in force has ${current.rules.length}: in force it would unflag every merchant and raise no alert, so the set in force stays; put the rules back (a version from the history, or the files) or turn one on, and to stop alerts, stop the service`,
      },
    ],
  );
}

/** Loads and validates a rule-set directory (or a single file). Throws ConfigError; never half-loads. */
export function loadRuleSet(path: string): RuleSet {
  const isDirectory = statSync(path).isDirectory();
  const files = isDirectory
    ? readdirSync(path)
        .filter(isRuleFileName)
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new ConfigError(path, [{ path: "", message: "no .yaml files in this directory" }]);
  // every refused file is said at once, each line naming its own (one run fixes them all); the checks across files
  // (one `ruleset:`, ids, contextRules) wait until each file reads, as a refused file's rules are not known
  const parsed: ParsedFile[] = [];
  const refused: ConfigError[] = [];
  for (const f of files) {
    try {
      parsed.push(parseFile(f, readTextFile(f)));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      refused.push(err);
    }
  }
  if (refused.length === 1) throw refused[0];
  if (refused.length) throw new ConfigError(path, refused.flatMap((e) => e.issues.map((i) => ({ ...i, file: e.file }))));
  const withSettings = parsed.filter((p) => p.settings);
  if (withSettings.length !== 1) {
    throw new ConfigError(path, [
      {
        path: "ruleset",
        message:
          withSettings.length === 0
            ? isDirectory
              ? "no file has a `ruleset:` section (id, scoring); add one"
              : // most often one file of a set (rules/sales.yaml) given for the set
                `this file has no \`ruleset:\` section (id, scoring), which a file given alone needs: give the rule-set directory it belongs to (${dirname(path)}), or add the section`
            : `only one file may have a \`ruleset:\` section; found in ${withSettings.map((p) => basename(p.file)).join(", ")}`,
      },
    ]);
  }
  const settings = withSettings[0]!.settings!;
  const seen = new Map<string, string>();
  const rules: CompiledRule[] = [];
  const disabled: string[] = [];
  for (const p of parsed) {
    for (const { rule, index, at } of p.rules) {
      const other = seen.get(rule.id);
      if (other) throw new ConfigError(p.file, [{ path: `rules[${index}].id`, message: `rule id "${rule.id}" is already used in ${other}`, ...at }]);
      seen.set(rule.id, `${basename(p.file)}${at.line ? ` (line ${at.line})` : ""}`);
      if (!rule.enabled) {
        disabled.push(rule.id);
        continue;
      }
      const kind = KIND_BY_NAME.get(rule.kind)!;
      rules.push({
        id: rule.id,
        index: 0,
        kind,
        evaluate: kind.evaluate,
        params: rule.params,
        weight: rule.weight,
        typology: rule.typology,
        description: rule.description,
        mode: rule.mode,
        version: sha256Hex(canonicalJson(rule)).slice(0, 12),
      });
    }
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : 1));
  rules.forEach((r, i) => (r.index = i));
  // an id no file defines (its file emptied or taken out, the rule renamed) counts nothing, and a rule renamed away from
  // it would add up with the other context rules again without a word; a rule turned off is still defined. A set that
  // defines no rule names none it has: the settings file alone (a backtest's baseline, naming the pack's rules), or
  // every file emptied (refused in force by checkNotEmptied, which says so)
  const settingsFile = withSettings[0]!;
  const undefinedIds = seen.size ? (settings.scoring.contextRules ?? []).flatMap((id, i) => (seen.has(id) ? [] : [{ id, i }])) : [];
  if (undefinedIds.length)
    throw new ConfigError(
      settingsFile.file,
      undefinedIds.map(({ id, i }) => {
        const close = didYouMean(id, [...seen.keys()]);
        const path = ["ruleset", "scoring", "contextRules", i];
        return {
          path: formatPath(path),
          message: `names rule "${id}", which no file defines${close}: ${close ? "correct the id, " : ""}put the rule back, or take its id out of the list`,
          ...settingsFile.at(path),
        };
      }),
    );
  const version = `sha256:${sha256Hex(canonicalJson({ settings, rules: rules.map((r) => ({ id: r.id, kind: r.kind.kind, version: r.version })) }))}`;
  const byEvent: RuleSet["byEvent"] = { merchant: [], transaction: [], chargeback: [], site_observation: [], "peer-flagged": [], "indicators-changed": [] };
  for (const r of rules) for (const t of r.kind.on) byEvent[t].push(r);
  return {
    id: settings.id,
    version,
    settings,
    rules,
    byId: new Map(rules.map((r) => [r.id, r])),
    byEvent,
    highRiskMccs: new Set(settings.highRiskMccs),
    files,
    disabled: disabled.sort(),
    doubts: parsed.flatMap((p) => p.doubts),
    ruleless: parsed.filter((p) => !p.settings && !p.rules.length).map((p) => basename(p.file)),
  };
}
