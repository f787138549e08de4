// A member's own list as a spreadsheet exports it (CSV, RFC 4180: a header row naming the columns, then one entry a
// row) made into a format v1 set. Each row is checked as a set's entry is, and refused with its line and column,
// never its value (it may be an abuse page's address). Ids follow the value, not the row, so that a later version of
// the list, sorted otherwise, revokes and changes the same entries.
import { readFileSync } from "node:fs";
import { sha256Hex } from "../lib/hash.js";
import { ConfigError, type ConfigIssue } from "../lib/errors.js";
import { withoutBom } from "../decode/decode.js";
import { FORMAT, IndicatorEntry, IndicatorKind, IndicatorSet, indicatorKey } from "./schema.js";
import { idNamesSite } from "./privacy.js";

/** The columns read, by their name with case, spaces and punctuation aside ("Valid Until", "valid_until"). */
const COLUMNS = ["id", "kind", "value", "confidence", "tlp", "validfrom", "validuntil", "revoked", "description"] as const;
type Column = (typeof COLUMNS)[number];
const FIELD: Record<Column, keyof IndicatorEntry> = {
  id: "id",
  kind: "kind",
  value: "value",
  confidence: "confidence",
  tlp: "tlp",
  validfrom: "validFrom",
  validuntil: "validUntil",
  revoked: "revoked",
  description: "description",
};
const REQUIRED: Column[] = ["kind", "value", "confidence"];

interface Records {
  rows: { line: number; cells: string[] }[];
  delimiter: string;
  /** a quote that opened a cell (its line and its place in the row, from 1) and was never closed */
  unclosed?: { line: number; col: number };
}

/** Records of a CSV text, each with the line it starts on; the delimiter is the header's (`,`, `;` or a tab). */
function records(text: string): Records {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = header.includes(",") ? "," : header.includes(";") ? ";" : header.includes("\t") ? "\t" : ",";
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let opened = { line: 1, col: 1 };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        cell += c;
      }
    } else if (c === '"' && cell === "") (quoted = true), (opened = { line: start, col: cells.length + 1 });
    else if (c === delimiter) cells.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      out.push({ line: start, cells: [...cells, cell] });
      (cells = []), (cell = ""), (start = ++line);
    } else cell += c;
  }
  if (cell !== "" || cells.length) out.push({ line: start, cells: [...cells, cell] });
  return { rows: out.filter((r) => r.cells.some((c) => c.trim() !== "")), delimiter, ...(quoted && { unclosed: opened }) };
}

/** A time as a spreadsheet writes a day (2027-06-01) is that day's start in UTC; others are checked as a set's. */
const time = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);

/**
 * An entry's id when the list gives none: the kind and the value as it matches, hashed (a url's canonical form; so
 * the id names no page). Such an id may hold the site's name by chance (the prefix "domain-" holds main.example's
 * "main"; the hex may spell a short name such as 3c7f), which export --hash refuses as naming the site: then one
 * hashed with a counter, without the kind's prefix, until it names nothing. The same value gets the same id in every
 * import, and the ids made before for the others are kept.
 */
function idOf(kind: IndicatorKind, value: string): string {
  const key = `${kind}\n${indicatorKey(kind, value) ?? value}`;
  const first = `${kind}-${sha256Hex(key).slice(0, 16)}`;
  if (!idNamesSite(kind, value, first)) return first;
  // "id-" is shorter than any name the check looks for (4 characters or more), so another hash ends it
  for (let n = 1; ; n++) {
    const id = `id-${sha256Hex(`${key}\n${n}`).slice(0, 16)}`;
    if (!idNamesSite(kind, value, id)) return id;
  }
}

export interface CsvImportOptions {
  setId: string;
  publisher: IndicatorSet["publisher"];
  version?: number;
  now?: string;
}

/** A CSV file of entries as a set; a file with any row that is not a valid entry is refused whole. */
export function importCsv(file: string, opts: CsvImportOptions): IndicatorSet {
  const { rows: [header, ...rows], delimiter, unclosed } = records(withoutBom(readFileSync(file, "utf8")));
  if (!header) throw new ConfigError(file, [{ path: "", message: `empty: give a header row (${REQUIRED.join(", ")} at least), then one entry a row` }]);
  const columns = header.cells.map((name) => ({ name: name.trim(), column: COLUMNS.find((c) => c === name.toLowerCase().replace(/[^a-z]/g, "")) }));
  const issues: ConfigIssue[] = [];
  // a column read as nothing would drop what it holds without a word (an expiry under "Expires" would not expire)
  columns.forEach(({ name, column }, i) => {
    const first = columns.findIndex((c) => c.column && c.column === column);
    if (column && first < i) issues.push({ path: name, line: header.line, col: i + 1, message: `the same column as column ${first + 1} (${columns[first]!.name}): keep one` });
    if (!column) issues.push({ path: name || "(a column without a name)", line: header.line, col: i + 1, message: `not a column moneytrail reads: name it as one of ${Object.values(FIELD).join(", ")} (in any case, with or without spaces and _), or remove it` });
  });
  for (const r of REQUIRED) if (!columns.some((c) => c.column === r)) issues.push({ path: r, line: header.line, message: "missing: this column is required" });
  // the rest of the file went into one cell, rows and all: refused where the quote opened, not row by row
  if (unclosed)
    issues.push({
      path: columns[unclosed.col - 1]?.name ?? `(cell ${unclosed.col})`,
      ...unclosed,
      message: 'a double quote opens this cell and is never closed: the rest of the file would be read as its text; close it, or double a quote inside a cell ("")',
    });
  if (issues.length) throw new ConfigError(file, issues);

  const entries: IndicatorEntry[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, cells } of rows) {
    const raw: Record<string, unknown> = {};
    const rowIssues: ConfigIssue[] = [];
    const at = (field: string) => {
      const i = columns.findIndex((c) => c.column && FIELD[c.column] === field);
      return i < 0 ? { path: field, line } : { path: columns[i]!.name, line, col: i + 1 };
    };
    // a cell holding the delimiter unquoted splits in two, and the cells after it shift: what it held is not taken
    // apart from the row's last cell (an empty cell after a trailing delimiter is no harm)
    let filled = cells.length;
    while (filled > 0 && cells[filled - 1]!.trim() === "") filled--;
    if (filled > columns.length) {
      const col = cells.findIndex((c, i) => i >= columns.length && c.trim() !== "") + 1;
      issues.push({
        path: `(cell ${col})`,
        line,
        col,
        message: `${filled} cells where the header row names ${columns.length} columns: a cell holding the delimiter (${delimiter === "\t" ? "a tab" : delimiter}) goes in double quotes (${delimiter === "\t" ? '"a<tab>b"' : `"a${delimiter} b"`}), as a spreadsheet writes it`,
      });
      continue;
    }
    // fields refused here, which the schema would refuse again as missing
    const said = new Set<string>();
    const refuse = (field: string, message: string) => (said.add(field), rowIssues.push({ ...at(field), message }));
    columns.forEach(({ column }, i) => {
      const v = (cells[i] ?? "").trim();
      if (!column) return;
      if (v === "") return void (REQUIRED.includes(column) && refuse(FIELD[column], "empty: this column is required"));
      if (column === "confidence") {
        if (/^\d+$/.test(v)) raw.confidence = Number(v);
        else refuse("confidence", "a whole number from 0 to 100");
      } else if (column === "revoked") {
        if (/^(true|yes|1)$/i.test(v)) raw.revoked = true;
        else if (!/^(false|no|0)$/i.test(v)) refuse("revoked", "true or false (or leave it empty)");
      } else if (column === "tlp") {
        // TLP 1.0's WHITE is 2.0's CLEAR, as the MISP and STIX imports read it
        const level = v.toLowerCase().replace(/^tlp:/, "");
        raw.tlp = level === "white" ? "clear" : level;
      } else if (column === "validfrom" || column === "validuntil") raw[FIELD[column]] = time(v);
      else raw[FIELD[column]] = v;
    });
    const kind = IndicatorKind.safeParse(raw.kind).data;
    const given = raw.id !== undefined;
    // a row of no kind is refused for that; its id is not what is wrong with it
    raw.id ??= kind && typeof raw.value === "string" ? idOf(kind, raw.value) : `line-${line}`;
    const entry = IndicatorEntry.safeParse(raw);
    if (!entry.success)
      for (const issue of entry.error.issues) {
        const field = String(issue.path[0] ?? "value");
        // a time is also taken as a day here (time, above)
        const day = issue.code === "invalid_format" && (field === "validFrom" || field === "validUntil") ? ", or a day, 2026-11-01 (its start in UTC)" : "";
        if (!said.has(field)) rowIssues.push({ ...at(field), message: `${issue.message}${day}` });
      }
    // refused here rather than at export --hash, which could name the entry only by its place in the set; a TLP:RED
    // entry never leaves this member, so its id may say what it likes
    if (entry.success && given && entry.data.tlp !== "red" && idNamesSite(entry.data.kind, entry.data.value, entry.data.id))
      rowIssues.push({
        ...at("id"),
        message:
          "the id holds the name of the site the row lists, and `indicators export --hash` would send it in plain text beside the hash: give an id that names nothing (such as a-17) and keep it from one version to the next, or leave the cell empty for one made from a hash of the kind and value",
      });
    issues.push(...rowIssues);
    if (!entry.success || rowIssues.length) continue;
    const before = firstLine.get(entry.data.id);
    if (before !== undefined) {
      issues.push({ ...at(columns.some((c) => c.column === "id") ? "id" : "value"), message: `the same entry as line ${before} (the same id, or the same kind and value): keep one` });
      continue;
    }
    firstLine.set(entry.data.id, line);
    entries.push(entry.data);
  }
  if (issues.length) throw new ConfigError(file, issues);
  return IndicatorSet.parse({ format: FORMAT, id: opts.setId, publisher: opts.publisher, version: opts.version ?? 1, created: opts.now ?? new Date().toISOString(), entries });
}
