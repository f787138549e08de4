// Writes one benchmark's section of BENCHMARKS.md, keeping the other sections as they are.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { PACKAGE_ROOT } from "../lib/paths.js";

export function recordBenchmark(name: string, command: string, lines: string[]): void {
  const file = join(PACKAGE_ROOT, "BENCHMARKS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\nFigures written by the benchmark scripts themselves; each section names the command that produced it.\n";
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = [
    begin,
    `## ${name}`,
    "",
    `Command: \`${command}\` — run ${new Date().toISOString().slice(0, 16)}Z on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}` +
      // the flags a script gives node (package.json) change the figures: they are part of the record
      (process.execArgv.length ? ` with \`${process.execArgv.join(" ")}\`.` : "."),
    "",
    ...lines,
    end,
  ].join("\n");
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
