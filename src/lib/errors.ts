// Configuration errors that name the file, the place inside it and the reason, so a person can fix them.
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";

export interface ConfigIssue {
  /** dotted path inside the file, e.g. rules[2].params.threshold */
  path: string;
  message: string;
  /** 1-based line and column, when the file format tells them */
  line?: number;
  col?: number;
  /** the file the issue is in, where an error is about several (a rule set's refused files): said in place of the error's */
  file?: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
    /** what to do, where it is not to fix `file` (see whatToDo) */
    readonly remedy?: string,
  ) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.name = "ConfigError";
  }
}

/**
 * The line after a refused configuration: what the error carries, else what fits what was refused. `readOnly` names a
 * command that changes nothing (`the backtest`): "nothing was changed" means nothing there, so the line says to run
 * it again instead.
 */
export function whatToDo(err: ConfigError, readOnly?: string): string {
  const todo = remedyOf(err);
  if (!readOnly) return todo;
  return todo.replace(/(?:,? (?:and|then) run the command again)?; nothing was changed\.$/, `, then run ${readOnly} again.`);
}

function remedyOf(err: ConfigError): string {
  if (err.remedy) return err.remedy;
  // only the publisher's key can sign a set: the reader cannot mend another member's signature
  if (err.issues.every((i) => i.path === "signature"))
    return "Ask the set's publisher for a correctly signed copy, or check that the trust store holds their current key; nothing was changed.";
  // the directory as a whole (no `ruleset:` section, no files): there is no one file to fix
  if (isDirectory(err.file)) return "Add or change files in the directory as said above, then run the command again; nothing was changed.";
  return "Fix the file and run the command again; nothing was changed.";
}

/** Whether the path is a directory; false for one that cannot be looked at (missing, or under a file: ENOTDIR). */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A command used wrongly: a setting, flag or path missing or invalid. The message says what to give; no stack trace. */
export class UsageError extends Error {}

/** A service the command needs did not answer (PostgreSQL, Kafka). The message says which and what to check. */
export class UnreachableError extends Error {}

// failed file operations a person caused and can fix, by their code; any other code is an internal error
const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: "not found: check the path",
  ENOTDIR: "a part of the path is not a directory: check the path",
  EISDIR: "is a directory: give a file",
  EEXIST: "already exists: give another path, or move the file away first",
  EACCES: "permission denied: give a path you may use, or change its permissions",
  EPERM: "not permitted: give a path you may use, or change its permissions",
  EROFS: "is on a read-only file system: give a path elsewhere",
  ENOSPC: "no space left on its device: make room or give a path elsewhere",
};

/**
 * Refuses, before the work, an output written when the work is over (writeOutput) that could not be written there:
 * a directory, a path under a file, a place the user may not write. Missing directories are fine: they are made.
 */
export function checkOutputFile(flag: string, path: string): void {
  if (isDirectory(path)) throw new UsageError(`${flag} ${path} is a directory: give a file`);
  let dir = dirname(resolve(path));
  while (!existsSync(dir)) dir = dirname(dir);
  if (!isDirectory(dir)) throw new UsageError(`${flag} ${path}: ${dir} is not a directory: check the path`);
  try {
    accessSync(existsSync(path) ? path : dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path} cannot be written (permission denied): give a path you may write, or change its permissions`);
  }
}

/** Refuses, before anything is opened or connected, an input file that is not there or is a directory. */
export function checkInputFile(flag: string, path: string, what: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`no ${what} at ${path}`);
  if (stat.isDirectory()) throw new UsageError(`${flag} ${path} is a directory: give the ${what}`);
}

/** A text file's content; reading a directory fails without the path, which this adds. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EISDIR") (err as NodeJS.ErrnoException).path ??= path;
    throw err;
  }
}

/** One line for a file error a person can fix (missing, a directory, exists, not allowed), naming the path; undefined for other errors. */
export function fileProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, path } = err as NodeJS.ErrnoException;
  const problem = code === undefined ? undefined : FILE_PROBLEMS[code];
  if (!problem) return undefined;
  if (path !== undefined) return `${path}: ${problem}`;
  // reading a directory as a file fails without the path
  return code === "EISDIR" ? `a directory was given where a file is needed: check the paths given` : undefined;
}

export function formatIssue(file: string, i: ConfigIssue): string {
  const where = i.line ? `${i.file ?? file}:${i.line}:${i.col ?? 1}` : (i.file ?? file);
  return `${where}: ${i.path || "(top level)"}: ${i.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** What a required key left out is called (zod words it as a value of the wrong type: "received undefined"). */
export const missingKey = (expected: string): string => `missing: this key is required (${expected})`;

/** Whether `path` names a key its parent object in `input` does not have. */
function absent(input: unknown, path: readonly PropertyKey[]): boolean {
  let parent = input;
  for (const k of path.slice(0, -1)) parent = typeof parent === "object" && parent !== null ? (parent as Record<PropertyKey, unknown>)[k] : undefined;
  return typeof parent === "object" && parent !== null && path.length > 0 && !(path.at(-1)! in parent);
}

/**
 * The message for an issue about a key left out, saying what it must hold: zod reports one as a wrong type, as a
 * wrong value of an enum or literal, or as no match of a discriminated union. Undefined for other issues.
 */
export function missingKeyOf(i: z.core.$ZodIssue): string | undefined {
  if (i.code === "invalid_type") return missingKey(i.expected);
  const values = i.code === "invalid_value" ? i.values : i.code === "invalid_union" && "options" in i ? i.options : undefined;
  if (values?.length) return missingKey(values.length === 1 ? z.core.util.joinValues(values) : `one of ${z.core.util.joinValues(values, "|")}`);
  return undefined;
}

const zodWording = z.locales.en().localeError;

/** Whether an issue carries zod's own wording, not a message its schema gives (which says more: it is kept). */
function zodWorded(i: z.core.$ZodIssue): boolean {
  const m = zodWording(i as Parameters<typeof zodWording>[0]);
  return (typeof m === "string" ? m : m?.message) === i.message;
}

/** zod's issues as a file's; given the input that was checked, a key left out is called missing. */
export function zodIssues(error: z.ZodError, input?: unknown): ConfigIssue[] {
  return error.issues.map((i) => ({
    path: formatPath(i.path),
    message: (input !== undefined && absent(input, i.path) && zodWorded(i) ? missingKeyOf(i) : undefined) ?? i.message,
  }));
}

/**
 * JSON.parse's message without the text it quotes around the fault (`Unexpected token 'h', ..."value":https://fl"...
 * is not valid JSON`): the text may be a page's address or a descriptor, and such messages are logged and reported.
 */
export const withoutJsonQuote = (message: string): string => message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ', "…" is not valid JSON');
