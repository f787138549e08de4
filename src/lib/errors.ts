// Configuration errors that name the file, the place inside it and the reason, so a person can fix them.
import type { z } from "zod";

export interface ConfigIssue {
  /** dotted path inside the file, e.g. rules[2].params.threshold */
  path: string;
  message: string;
  /** 1-based line and column, when the file format tells them */
  line?: number;
  col?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.name = "ConfigError";
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
  const where = i.line ? `${file}:${i.line}:${i.col ?? 1}` : file;
  return `${where}: ${i.path || "(top level)"}: ${i.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function zodIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}
