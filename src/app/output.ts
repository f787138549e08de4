// A command's output file: its directory made if missing, a file already there replaced, and said on stderr
// (stdout stays the command's own output).
import { mkdirSync, writeFileSync, type WriteFileOptions } from "node:fs";
import { dirname } from "node:path";

export function writeOutput(file: string, text: string, options?: WriteFileOptions): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text, options);
  process.stderr.write(`wrote ${file}\n`);
}
