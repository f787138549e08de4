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
