// What a rule's configuration changed from one set to another, value by value. A rule's content hash says only that
// something did; a backtest's report and the Rules page's notices say "weight 45 → 60" or "params.allowReferrers
// +partner.example", which a tuner reads without opening both files.
import { canonicalJson } from "../lib/canonical-json.js";
import type { CompiledRule } from "./ruleset.js";

/** One value that differs: its path under the rule (as a refusal names it), A's and B's (null where absent), said. */
export interface FieldChange {
  path: string;
  a: unknown;
  b: unknown;
  text: string;
}

/** What a rule's version hashes, less its id (the same in both) and enabled (a disabled rule is in no set). */
const configOf = (r: CompiledRule) => ({ kind: r.kind.kind, mode: r.mode, weight: r.weight, typology: r.typology, description: r.description, params: r.params });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** a list of values (referrers, reason codes) is said by what it gained and lost; a list of objects (levels) item by item */
const isValueList = (v: unknown): v is unknown[] => Array.isArray(v) && !v.some((x) => x !== null && typeof x === "object");
const shown = (v: unknown): string => (v === null ? "(none)" : typeof v === "string" ? v : canonicalJson(v));

function changeText(path: string, a: unknown, b: unknown): string {
  // words, maybe a paragraph: that it changed is what tells
  if (path === "description") return "description (its text)";
  if (isValueList(a) && isValueList(b)) {
    const said = [...b.filter((x) => !a.includes(x)).map((x) => `+${shown(x)}`), ...a.filter((x) => !b.includes(x)).map((x) => `−${shown(x)}`)];
    return `${path} ${said.length ? said.join(" ") : "(the same values in another order)"}`;
  }
  return `${path} ${shown(a)} → ${shown(b)}`;
}

/** The values of rule `b` that differ from those of `a` (the same id), by path; a changed kind alone, as its params differ whole. */
export function ruleFieldChanges(a: CompiledRule, b: CompiledRule): FieldChange[] {
  const out: FieldChange[] = [];
  const add = (path: string, x: unknown, y: unknown) => out.push({ path, a: x, b: y, text: changeText(path, x, y) });
  if (a.kind !== b.kind) return [{ path: "kind", a: a.kind.kind, b: b.kind.kind, text: changeText("kind", a.kind.kind, b.kind.kind) }];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (canonicalJson(x) === canonicalJson(y)) return;
    if (isObject(x) && isObject(y)) {
      for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(x[k] ?? null, y[k] ?? null, path ? `${path}.${k}` : k);
    } else if (Array.isArray(x) && Array.isArray(y) && !(isValueList(x) && isValueList(y))) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i] ?? null, y[i] ?? null, `${path}[${i}]`);
    } else add(path, x, y);
  };
  walk(configOf(a), configOf(b), "");
  return out;
}
